package dev.tollgate.verifier.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link RegistryServer} shared by every test class of the run: started on first use,
 * stopped when the run ends (JUnit closes AutoCloseable values of the root store). Tests use a
 * fresh repository name each, so sharing one registry keeps them independent and the suite fast.
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
        .computeIfAbsent(RegistryServer.class, k -> start(), RegistryServer.class);
  }

  private static RegistryServer start() {
    try {
      Path dir = Files.createTempDirectory("tollgate-registry");
      return RegistryServer.start(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start docker-registry", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted starting docker-registry", e);
    }
  }
}
