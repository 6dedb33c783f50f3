package dev.tollgate.verifier.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A real OCI registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1 with a free port
 * and its own storage directory, started and stopped by the tests. It has no referrers API, so the
 * cosign fallback tag scheme is what runs against it.
 */
public final class RegistryServer implements AutoCloseable {
  private Process process;
  private final Path configFile;
  private final String host;
  private final Path storage;
  private final Path log;
  private final boolean tls;

  private RegistryServer(
      Process process, Path configFile, String host, Path storage, Path log, boolean tls) {
    this.process = process;
    this.configFile = configFile;
    this.host = host;
    this.storage = storage;
    this.log = log;
    this.tls = tls;
  }

  /** Starts a plain-HTTP registry in {@code dir}. */
  public static RegistryServer start(Path dir) throws IOException, InterruptedException {
    return start(dir, null, null, null);
  }

  /** Starts a TLS registry with this certificate and key (PEM); {@code clientTls} trusts it. */
  public static RegistryServer start(Path dir, Path cert, Path key, SSLContext clientTls)
      throws IOException, InterruptedException {
    Prerequisites.requireRegistry();
    int port = freePort();
    Path storage = Files.createDirectories(dir.resolve("storage"));
    String tlsBlock =
        cert == null ? "" : "  tls:\n    certificate: " + cert + "\n    key: " + key + "\n";
    String config =
        "version: 0.1\n"
            + "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            + "storage:\n  filesystem:\n    rootdirectory: "
            + storage
            + "\n  delete:\n    enabled: true\n"
            + "http:\n  addr: 127.0.0.1:"
            + port
            + "\n"
            + tlsBlock;
    Path configFile = dir.resolve("config.yml");
    Files.writeString(configFile, config, StandardCharsets.UTF_8);
    Path log = dir.resolve("registry.log");
    Process process =
        new ProcessBuilder(Prerequisites.REGISTRY.toString(), "serve", configFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    RegistryServer server =
        new RegistryServer(process, configFile, "127.0.0.1:" + port, storage, log, cert != null);
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    server.awaitReady(clientTls);
    return server;
  }

  private void awaitReady(SSLContext clientTls) throws IOException, InterruptedException {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
    if (clientTls != null) {
      b.sslContext(clientTls);
    }
    HttpClient client = b.build();
    URI uri = URI.create((tls ? "https" : "http") + "://" + host + "/v2/");
    Instant deadline = Instant.now().plusSeconds(15);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "docker-registry exited: " + Files.readString(log, StandardCharsets.UTF_8));
      }
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // the registry needs a moment to bind its port
      }
      Thread.sleep(50);
    }
    close();
    throw new IllegalStateException("docker-registry did not become ready on " + host);
  }

  /** {@code 127.0.0.1:<port>}, the registry part of references. */
  public String host() {
    return host;
  }

  /** The filesystem storage root, for tests that tamper with stored content. */
  public Path storage() {
    return storage;
  }

  /** Where a blob's bytes live in distribution's filesystem layout. */
  public Path blobData(String hex) {
    return storage.resolve(
        "docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
  }

  /**
   * Starts the registry again after {@link #close()}, on the same port with the same storage: a
   * registry outage that ends. Plain HTTP registries only.
   */
  public synchronized void restart() throws IOException, InterruptedException {
    if (process.isAlive()) {
      throw new IllegalStateException("the registry is running");
    }
    process =
        new ProcessBuilder(Prerequisites.REGISTRY.toString(), "serve", configFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    awaitReady(null);
  }

  @Override
  public void close() {
    // Never throws InterruptedException (AutoCloseable's advice): it kills and keeps the flag.
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
