package dev.tollgate.gateway.emit;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.deploy.kafka.TollgateTopics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * A broker that a test can stop and start again on the same ports and data, as a real outage and
 * recovery would look to the gateway. Its data directory is deleted when the resource stops, or at
 * the latest when the JVM exits.
 */
public final class RestartableKafka implements QuarkusTestResourceLifecycleManager {

  private TemporaryDirectory dataDir;
  private int port;
  private int controllerPort;
  private EmbeddedKafka broker;

  @Override
  public Map<String, String> start() {
    dataDir = TemporaryDirectory.create("tollgate-restartable-kafka-");
    port = freePort();
    controllerPort = freePort();
    up();
    return Map.of(
        "kafka.bootstrap.servers",
        broker.bootstrapServers(),
        "quarkus.kafka.devservices.enabled",
        "false");
  }

  /** Starts the broker (again) on the same ports and data directory. */
  public void up() {
    EmbeddedKafka started =
        EmbeddedKafka.builder()
            .dataDir(dataDir.path())
            .port(port)
            .controllerPort(controllerPort)
            .topics(TollgateTopics.all())
            .start();
    dataDir.closeFirstAtExit(started);
    broker = started;
  }

  /** Stops the broker; its data stays. */
  public void down() {
    broker.close();
    broker = null;
  }

  /** Client properties for the broker. */
  public Map<String, Object> clientProperties() {
    return Map.of("bootstrap.servers", "127.0.0.1:" + port);
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(this, new TestInjector.MatchesType(RestartableKafka.class));
  }

  @Override
  public void stop() {
    try {
      if (broker != null) {
        broker.close();
      }
    } finally {
      if (dataDir != null) {
        dataDir.close();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }
}
