package dev.tollgate.deploy.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@code deploy/images/build --base offline} (the one command) against a throwaway local
 * registry, then checks every image as a runtime would see it: digests of manifest, config and
 * layers, the non-root user, the Quarkus entrypoint, the offline base's layers under the
 * application's, and, where the test runs as root, that the image's root filesystem actually starts
 * the service (unpacked, entered with unshare and chroot as uid 185, answering {@code
 * /q/health/live}). Slow (a Quarkus build of each service), so it runs in the {@code images} Maven
 * profile that {@code .ci/run} runs, not in the default build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagesIT {
  private static final String GROUP = "tollgate-it";
  private static final String TAG = "it";

  /** Each service's quarkus.http.port, which Quarkus' Jib integration exposes. */
  private static final Map<String, Integer> PORTS =
      Map.of("gateway", 8080, "verifier", 8081, "ledger", 8082);

  private final Path root = Path.of(System.getProperty("tollgate.root")).toAbsolutePath();
  private final Path work = root.resolve("deploy/images/target/images-it");
  private LocalRegistry registry;
  private final Map<String, String> pushed = new LinkedHashMap<>();
  private String baseDigest;

  @BeforeAll
  void buildImagesWithTheOneCommand() throws Exception {
    deleteRecursively(work);
    Files.createDirectories(work);
    registry = LocalRegistry.start(Files.createDirectories(work.resolve("registry")));
    Path log = work.resolve("build.log");
    ProcessBuilder build =
        new ProcessBuilder(
                root.resolve("deploy/images/build").toString(),
                "--registry",
                registry.host(),
                "--group",
                GROUP,
                "--tag",
                TAG,
                "--base",
                "offline",
                "--insecure")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    build
        .environment()
        .put(
            "TOLLGATE_IMAGE_TOOL",
            root.resolve("deploy/images/target/tollgate-image-tool.jar").toString());
    Process process = build.start();
    if (!process.waitFor(40, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("deploy/images/build failed:\n%s", output).isZero();
    for (String line :
        Files.readAllLines(
            root.resolve("deploy/images/target/images.txt"), StandardCharsets.UTF_8)) {
      String[] refAndDigest = line.split("@", 2);
      String repository = refAndDigest[0].substring(registry.host().length() + 1);
      pushed.put(repository, refAndDigest[1]);
    }
    baseDigest =
        Files.readString(
                root.resolve("deploy/images/target/base-image.digest"), StandardCharsets.UTF_8)
            .strip();
  }

  @AfterAll
  void stopRegistry() throws InterruptedException {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void build_offlineBase_pushesTheThreeServicesByDigest() {
    assertThat(pushed)
        .containsOnlyKeys(
            GROUP + "/tollgate-gateway", GROUP + "/tollgate-verifier", GROUP + "/tollgate-ledger");
    assertThat(pushed.values())
        .allMatch(d -> d.matches("sha256:[0-9a-f]{64}"))
        .doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "verifier", "ledger"})
  void image_everyDigest_verifies(String service) throws Exception {
    String repository = GROUP + "/tollgate-" + service;
    String digest = pushed.get(repository);
    assertThat(digest)
        .isEqualTo(
            Files.readString(
                    root.resolve(service + "/target/jib-image.digest"), StandardCharsets.UTF_8)
                .strip());

    LocalRegistry.Blob byTag = registry.manifest(repository, TAG);
    assertThat(LocalRegistry.sha256(byTag.bytes())).isEqualTo(digest);
    assertThat(byTag.reportedDigest()).isEqualTo(digest);
    assertThat(registry.manifest(repository, digest).bytes()).isEqualTo(byTag.bytes());

    JsonNode manifest = byTag.json();
    assertThat(manifest.path("schemaVersion").asInt()).isEqualTo(2);
    JsonNode config = manifest.path("config");
    byte[] configBytes = registry.blob(repository, config.path("digest").asText());
    assertThat((long) configBytes.length).isEqualTo(config.path("size").asLong());
    for (JsonNode layer : manifest.path("layers")) {
      byte[] bytes = registry.blob(repository, layer.path("digest").asText());
      assertThat((long) bytes.length).isEqualTo(layer.path("size").asLong());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "verifier", "ledger"})
  void image_config_startsTheQuarkusAppAsUser185(String service) throws Exception {
    JsonNode config = config(GROUP + "/tollgate-" + service).path("config");
    assertThat(config.path("User").asText()).isEqualTo("185");
    assertThat(strings(config.path("Entrypoint")))
        .startsWith("java")
        .endsWith("-jar", "quarkus-run.jar")
        .contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
    assertThat(config.path("WorkingDir").asText()).isEqualTo("/home/jboss");
    assertThat(strings(config.path("Env")))
        .anyMatch(e -> e.startsWith("PATH=/opt/java/bin:"))
        .contains("JAVA_HOME=/opt/java");
    assertThat(config.path("ExposedPorts").has(PORTS.get(service) + "/tcp")).isTrue();
    assertThat(config(GROUP + "/tollgate-" + service).path("os").asText()).isEqualTo("linux");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "verifier", "ledger"})
  void image_layers_areTheOfflineBaseThenTheApplication(String service) throws Exception {
    String repository = GROUP + "/tollgate-" + service;
    JsonNode base = registry.manifest(GROUP + "/tollgate-jre-base", baseDigest).json();
    List<String> baseLayers = digests(base.path("layers"));
    JsonNode manifest = registry.manifest(repository, TAG).json();
    List<String> layers = digests(manifest.path("layers"));
    assertThat(baseLayers).hasSize(2);
    assertThat(layers).startsWith(baseLayers.toArray(String[]::new)).hasSizeGreaterThan(3);

    List<Layers.Entry> os = Layers.entries(registry.blob(repository, layers.get(0)));
    assertThat(paths(os))
        .contains(
            "/lib64/ld-linux-x86-64.so.2",
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/lib/x86_64-linux-gnu/libz.so.1",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libsodium.so.23",
            "/etc/passwd",
            "/var/lib/dpkg/status.d/libc6",
            "/var/lib/dpkg/status.d/libsodium23")
        .noneMatch(p -> p.startsWith("/opt/java"));
    // Only the user's own directories are its; nothing else in the base is writable by anyone but
    // root.
    assertThat(os)
        .filteredOn(e -> e.uid() != 0)
        .extracting(Layers.Entry::path)
        .containsExactlyInAnyOrder("/tmp", "/home/jboss");
    assertThat(os).filteredOn(e -> e.uid() == 0).allMatch(e -> (e.mode() & 0222) == 0);

    List<Layers.Entry> jre = Layers.entries(registry.blob(repository, layers.get(1)));
    assertThat(paths(jre)).contains("/opt/java/bin/java", "/opt/java/lib/security/cacerts");
    assertThat(jre).allMatch(e -> e.uid() == 0 && (e.mode() & 022) == 0);
    assertThat(jre).filteredOn(e -> !e.directory()).allMatch(e -> (e.mode() & 0222) == 0);

    List<String> application = new ArrayList<>();
    for (String layer : layers.subList(2, layers.size())) {
      application.addAll(paths(Layers.entries(registry.blob(repository, layer))));
    }
    assertThat(application)
        .contains(
            "/home/jboss/quarkus-run.jar",
            "/home/jboss/quarkus/quarkus-application.dat",
            "/home/jboss/app")
        .anyMatch(p -> p.matches("/home/jboss/app/tollgate-" + service + "-.*\\.jar"))
        .anyMatch(p -> p.matches("/home/jboss/lib/main/dev\\.tollgate\\.tollgate-schemas-.*\\.jar"))
        .noneMatch(p -> p.startsWith("/opt/") || p.startsWith("/lib"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "verifier", "ledger"})
  void image_unpackedAndStartedAsUser185_answersLiveness(String service) throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "starting an unpacked image needs root (unshare, chroot, mounts); this JVM runs as "
            + System.getProperty("user.name"));
    String repository = GROUP + "/tollgate-" + service;
    Path rootfs = work.resolve("rootfs-" + service);
    deleteRecursively(rootfs);
    Files.createDirectories(rootfs);
    for (String layer : digests(registry.manifest(repository, TAG).json().path("layers"))) {
      Layers.extract(registry.blob(repository, layer), rootfs);
    }
    // What a container runtime provides: the mount points for /proc and /dev.
    Files.createDirectories(rootfs.resolve("proc"));
    Files.createDirectories(rootfs.resolve("dev"));

    JsonNode config = config(repository).path("config");
    int port;
    int managementPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket m = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
      managementPort = m.getLocalPort();
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : strings(config.path("Env"))) {
      String[] kv = e.split("=", 2);
      env.put(kv[0], kv[1]);
    }
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    // The gateway serves health on Quarkus' management interface, apart from its webhook port.
    env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
    // No broker: liveness must not depend on Kafka (readiness does).
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9");
    secretsFor(service, rootfs, env);

    List<String> command = new ArrayList<>();
    command.add("env");
    command.add("-i");
    env.forEach((k, v) -> command.add(k + "=" + v));
    command.addAll(
        List.of(
            "/usr/bin/unshare",
            "--root=" + rootfs,
            "--wd=" + config.path("WorkingDir").asText(),
            "--setuid=" + config.path("User").asText(),
            "--setgid=" + config.path("User").asText()));
    command.addAll(strings(config.path("Entrypoint")));
    String inNamespace =
        "mount --rbind /dev \"$1/dev\" && mount -t proc proc \"$1/proc\" && shift && exec \"$@\"";
    List<String> outer =
        new ArrayList<>(
            List.of(
                "/usr/bin/unshare",
                "--mount",
                "--pid",
                "--fork",
                "--kill-child",
                "/bin/sh",
                "-c",
                inNamespace,
                "sh",
                rootfs.toString()));
    outer.addAll(command);
    Path log = work.resolve(service + "-run.log");
    Process process =
        new ProcessBuilder(outer).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Optional<String> live =
          awaitLiveness("gateway".equals(service) ? managementPort : port, process);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(live)
          .as("no answer on /q/health/live; the service printed:\n%s", output)
          .isPresent();
      assertThat(live.get()).contains("\"status\": \"UP\"");
      // Once a service reads a key, it names its Ed25519 engine: libsodium from the base image,
      // never the BouncyCastle fallback (whose line gives the reason).
      assertThat(output).doesNotContain("Ed25519 engine: BouncyCastle");
      assertThat(javaUid(process)).as("uid of the service's JVM").isEqualTo(185);
    } finally {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void secretsFor(String service, Path rootfs, Map<String, String> env)
      throws IOException, NoSuchAlgorithmException {
    switch (service) {
      case "gateway" -> {
        env.put("TOLLGATE_GITHUB_WEBHOOK_SECRET", "images-it-" + Instant.now().getNano());
        // The gateway's event-signing key, where deploy/base/gateway.yaml mounts it.
        writeEd25519Key(rootfs, "etc/tollgate/gateway/events-key.pem");
        env.put("TOLLGATE_SIGNING_KEY_FILE", "/etc/tollgate/gateway/events-key.pem");
      }
      case "verifier" -> {
        // Its own event key and the gateway's public key, where deploy/base/verifier.yaml mounts
        // them: the verifier does not start without both.
        writeEd25519Key(rootfs, "etc/tollgate/event-key/key.pem");
        env.put("TOLLGATE_SIGNING_KEY_FILE", "/etc/tollgate/event-key/key.pem");
        writePublicKey(rootfs, "etc/tollgate/event-trust/gateway-events.pub.pem");
        env.put("TOLLGATE_TRUST_GATEWAY_KEYS", "/etc/tollgate/event-trust/gateway-events.pub.pem");
      }
      case "ledger" -> {
        writeEd25519Key(rootfs, "etc/tollgate/ledger/key.pem");
        env.put("TOLLGATE_LEDGER_SIGNING_KEY_FILE", "/etc/tollgate/ledger/key.pem");
        env.put("TOLLGATE_LEDGER_WATCH_ENABLED", "false");
        // Sealing is on by default and needs somewhere durable; deploy/base/ledger.yaml gives it
        // the data directory, here a store under the container's /tmp.
        env.put("TOLLGATE_LEDGER_PRIVACY_SEALED_STORE", "/tmp/tollgate-sealed");
        // The run watch's key and the trusted public keys, where deploy/base/ledger.yaml mounts
        // them.
        writeEd25519Key(rootfs, "etc/tollgate/run-watch-key/key.pem");
        env.put("TOLLGATE_SIGNING_KEY_FILE", "/etc/tollgate/run-watch-key/key.pem");
        for (String signer : List.of("gateway", "verifier", "run-watch")) {
          String file = "etc/tollgate/event-trust/" + signer + "-events.pub.pem";
          writePublicKey(rootfs, file);
          env.put(
              "TOLLGATE_TRUST_" + signer.replace('-', '_').toUpperCase(Locale.ROOT) + "_KEYS",
              "/" + file);
        }
      }
      default -> {}
    }
  }

  /** The public half of a fresh Ed25519 key as a PEM at {@code path}, readable by uid 185. */
  private static void writePublicKey(Path rootfs, String path)
      throws IOException, NoSuchAlgorithmException {
    Path key = rootfs.resolve(path);
    Files.createDirectories(key.getParent());
    byte[] spki =
        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    Files.writeString(
        key,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(spki)
            + "\n-----END PUBLIC KEY-----\n",
        StandardCharsets.UTF_8);
    Files.setAttribute(key, "unix:uid", 185);
  }

  /** A fresh Ed25519 key as PKCS#8 PEM at {@code path} in the root filesystem, owned by uid 185. */
  private static void writeEd25519Key(Path rootfs, String path)
      throws IOException, NoSuchAlgorithmException {
    Path key = rootfs.resolve(path);
    Files.createDirectories(key.getParent());
    byte[] pkcs8 =
        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
    Files.writeString(
        key,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
            + "\n-----END PRIVATE KEY-----\n",
        StandardCharsets.UTF_8);
    Files.setAttribute(key, "unix:uid", 185);
  }

  private static Optional<String> awaitLiveness(int port, Process process)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/live"))
            .timeout(Duration.ofSeconds(10))
            .build();
    // A bound on waiting for a JVM on a shared machine, not a speed assertion.
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (Instant.now().isBefore(deadline) && process.isAlive()) {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return Optional.of(r.body());
        }
      } catch (IOException notYetListening) {
        // the service is still starting
      }
      Thread.sleep(500);
    }
    return Optional.empty();
  }

  private static int javaUid(Process process) throws IOException {
    for (ProcessHandle p : process.descendants().toList()) {
      if (p.info().command().map(c -> c.endsWith("/java")).orElse(false)) {
        for (String line :
            Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"), StandardCharsets.UTF_8)) {
          if (line.startsWith("Uid:")) {
            return Integer.parseInt(line.split("\\s+")[1]);
          }
        }
      }
    }
    throw new IllegalStateException("no java process under " + process.pid());
  }

  private JsonNode config(String repository) throws Exception {
    JsonNode manifest = registry.manifest(repository, TAG).json();
    return new LocalRegistry.Blob(
            registry.blob(repository, manifest.path("config").path("digest").asText()), "")
        .json();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> digests(JsonNode layers) {
    List<String> out = new ArrayList<>();
    layers.forEach(n -> out.add(n.path("digest").asText()));
    return out;
  }

  private static List<String> paths(List<Layers.Entry> entries) {
    return entries.stream().map(Layers.Entry::path).toList();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
