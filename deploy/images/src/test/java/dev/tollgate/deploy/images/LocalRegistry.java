package dev.tollgate.deploy.images;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway registry for the image tests: Debian's docker-registry (distribution 2.8) on
 * 127.0.0.1 with a free port and its own storage, and the reads the tests make from it. Every read
 * checks the content against its digest before anything is parsed.
 */
final class LocalRegistry implements AutoCloseable {
  static final Path REGISTRY = Path.of("/usr/bin/docker-registry");
  private static final String MANIFEST_TYPES =
      "application/vnd.docker.distribution.manifest.v2+json,"
          + "application/vnd.oci.image.manifest.v1+json";

  private final Process process;
  private final String host;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LocalRegistry(Process process, String host) {
    this.process = process;
    this.host = host;
  }

  static LocalRegistry start(Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(REGISTRY)) {
      throw new IllegalStateException(
          REGISTRY + " is missing: run deploy/local/prereqs (installs docker-registry)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path storage = Files.createDirectories(dir.resolve("storage"));
    Path config = dir.resolve("registry.yml");
    Files.writeString(
        config,
        "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
            + "storage:\n  filesystem:\n    rootdirectory: "
            + storage
            + "\nhttp:\n  addr: 127.0.0.1:"
            + port
            + "\n",
        StandardCharsets.UTF_8);
    Path log = dir.resolve("registry.log");
    Process process =
        new ProcessBuilder(REGISTRY.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    LocalRegistry registry = new LocalRegistry(process, "127.0.0.1:" + port);
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "docker-registry exited: " + Files.readString(log, StandardCharsets.UTF_8));
      }
      try {
        if (registry.get("/v2/", "*/*").statusCode() == 200) {
          return registry;
        }
      } catch (IOException notYetListening) {
        // the registry needs a moment to bind its port
      }
      Thread.sleep(100);
    }
    registry.close();
    throw new IllegalStateException("docker-registry did not become ready on " + registry.host);
  }

  /** {@code 127.0.0.1:<port>}. */
  String host() {
    return host;
  }

  /** A manifest by tag or digest, exactly as served, with the digest the registry reported. */
  Blob manifest(String repository, String reference) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = get("/v2/" + repository + "/manifests/" + reference, MANIFEST_TYPES);
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "manifest " + repository + ":" + reference + " answered " + r.statusCode());
    }
    String reported = r.headers().firstValue("Docker-Content-Digest").orElse("");
    return new Blob(r.body(), reported);
  }

  /** A blob, refused unless its bytes hash to {@code digest}. */
  byte[] blob(String repository, String digest) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = get("/v2/" + repository + "/blobs/" + digest, "*/*");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("blob " + digest + " answered " + r.statusCode());
    }
    String actual = sha256(r.body());
    if (!actual.equals(digest)) {
      throw new IllegalStateException("blob " + digest + " hashes to " + actual);
    }
    return r.body();
  }

  private HttpResponse<byte[]> get(String path, String accept)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + host + path))
            .header("Accept", accept)
            .timeout(Duration.ofMinutes(2))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Never throws InterruptedException (AutoCloseable's advice): it kills and keeps the flag. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Bytes as served and the digest the registry said they have. */
  record Blob(byte[] bytes, String reportedDigest) {
    JsonNode json() throws IOException {
      return Json.mapper().readTree(bytes);
    }
  }
}
