package dev.tollgate.deploy.kafka;

import dev.tollgate.schemas.SuppressForbidden;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The local stack's broker: {@code EmbeddedKafkaMain <data dir> [port] [controller port]}. Keeps
 * its data in the directory across restarts, creates Tollgate's topics, prints one line when it is
 * ready, and shuts down cleanly on SIGTERM or Ctrl-C.
 */
public final class EmbeddedKafkaMain {

  private EmbeddedKafkaMain() {}

  @SuppressForbidden("a command-line program reports readiness on its console")
  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1 || args.length > 3) {
      System.err.println(
          "usage: EmbeddedKafkaMain <data dir> [port, default 9092] [controller port]");
      System.exit(2);
    }
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 9092;
    int controllerPort = args.length > 2 ? Integer.parseInt(args[2]) : port + 1;
    EmbeddedKafka kafka =
        EmbeddedKafka.builder()
            .dataDir(Path.of(args[0]))
            .port(port)
            .controllerPort(controllerPort)
            .advertisedHost("localhost")
            .topics(TollgateTopics.all())
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  kafka.close();
                  stopped.countDown();
                },
                "kafka-shutdown"));
    System.out.println("kafka ready at " + kafka.bootstrapServers());
    stopped.await();
  }
}
