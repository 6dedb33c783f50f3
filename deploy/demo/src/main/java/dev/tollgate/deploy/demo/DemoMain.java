package dev.tollgate.deploy.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.demo.content.DemoContent;
import dev.tollgate.deploy.demo.content.DemoPolicies;
import dev.tollgate.deploy.demo.content.DemoSigner;
import dev.tollgate.deploy.demo.kube.EmbeddedApiServer;
import dev.tollgate.deploy.demo.oci.RegistryException;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.schemas.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * {@code DemoMain --registry HOST:PORT --dir DIR [--api-port PORT]}: pushes the demo content to the
 * registry, writes the policies into {@code DIR/policies} and what was pushed into {@code
 * DIR/content.json}; with {@code --api-port}, then serves the embedded Kubernetes API on that port
 * until SIGTERM. Prints one line when ready. Exit 1 when the registry refuses the content, 2 on a
 * usage error.
 */
public final class DemoMain {
  /**
   * The mock API server logs every request at INFO; the local stack's log keeps warnings only. Held
   * here because java.util.logging keeps loggers weakly.
   */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private DemoMain() {}

  @SuppressForbidden("a command-line program reports readiness and errors on its console")
  public static void main(String[] args) throws IOException, InterruptedException {
    String registry = null;
    Path dir = null;
    Integer apiPort = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--registry" -> registry = args[i + 1];
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--api-port" -> apiPort = Integer.valueOf(args[i + 1]);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (args.length % 2 != 0 || registry == null || dir == null) {
      usage("--registry and --dir are required");
    }
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    DemoSigner release = DemoSigner.generate("demo-release");
    DemoSigner scanner = DemoSigner.generate("demo-scanner");
    DemoContent.Pushed pushed;
    try {
      pushed = new DemoContent(registry, release, scanner).push(Instant.now());
    } catch (RegistryException e) {
      System.err.println(
          "demo: cannot push the demo content to " + registry + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    DemoPolicies.write(Files.createDirectories(dir.resolve("policies")), pushed, release, scanner);
    ObjectNode content = Json.mapper().createObjectNode();
    content.put("signedBundle", pushed.signedBundle());
    content.put("unsignedBundle", pushed.unsignedBundle());
    content.put("taskBundle", pushed.taskBundle());
    content.put("image", pushed.image());
    Files.write(dir.resolve("content.json"), Json.writeBytes(content));
    System.out.println(
        "demo content pushed: "
            + pushed.signedBundle()
            + " (signed), "
            + pushed.unsignedBundle()
            + " (unsigned)");
    if (apiPort == null) {
      System.out.println("demo ready");
      return;
    }
    EmbeddedApiServer api = EmbeddedApiServer.start(apiPort);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  api.close();
                  stopped.countDown();
                },
                "api-server-shutdown"));
    System.out.println("demo ready, Kubernetes API at " + api.url());
    stopped.await();
  }

  @SuppressForbidden("a command-line program reports usage errors on its console")
  private static void usage(String why) {
    System.err.println(
        "demo: " + why + "\nusage: DemoMain --registry HOST:PORT --dir DIR [--api-port PORT]");
    System.exit(2);
  }
}
