package dev.tollgate.verifier.testing;

import dev.tollgate.deploy.kafka.TemporaryDirectory;
import java.io.IOException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link RegistryServer} shared by every test class of the run: started on first use,
 * stopped and its storage deleted when the run ends (JUnit closes AutoCloseable values of the root
 * store; the JVM's exit deletes the storage if that never happens). Tests use a fresh repository
 * name each, so sharing one registry keeps them independent and the suite fast.
 */
public final class RegistryExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RegistryExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RegistryServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Prerequisites.requireRegistry();
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(SharedRegistry.class, k -> SharedRegistry.start(), SharedRegistry.class)
        .server();
  }

  /** The registry and its storage directory, deleted after the registry stops. */
  private record SharedRegistry(RegistryServer server, TemporaryDirectory dir)
      implements AutoCloseable {

    static SharedRegistry start() {
      TemporaryDirectory dir = TemporaryDirectory.create("tollgate-registry-");
      try {
        RegistryServer server = RegistryServer.start(dir.path());
        dir.closeFirstAtExit(server);
        return new SharedRegistry(server, dir);
      } catch (IOException e) {
        dir.close();
        throw new IllegalStateException("cannot start docker-registry", e);
      } catch (InterruptedException e) {
        dir.close();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted starting docker-registry", e);
      } catch (RuntimeException e) {
        dir.close();
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        server.close();
      } finally {
        dir.close();
      }
    }
  }
}
