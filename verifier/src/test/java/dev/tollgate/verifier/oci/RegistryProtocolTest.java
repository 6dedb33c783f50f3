package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.verifier.testing.OciPusher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry protocol paths distribution 2.8 cannot exercise (it has no referrers API, no token
 * service, never rate-limits), against a fake registry built on the JDK's HTTP server that answers
 * as the OCI distribution spec says.
 */
@SuppressForbidden(
    "com.sun.net.httpserver is the exported, supported jdk.httpserver module; forbiddenapis flags"
        + " every com.sun package as internal")
class RegistryProtocolTest {
  private static final String PASSWORD = "s3cr3t-pa55";

  private HttpServer server;
  private String host;
  private final Map<String, Integer> hits = new ConcurrentHashMap<>();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private Repository repo;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    host = "127.0.0.1:" + server.getAddress().getPort();
    repo = new Repository(host, "acme/app");
  }

  @AfterEach
  void stop() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }

  @Test
  void manifest_bearerChallenge_fetchesTokenWithConfigCredentialsAndRetries(@TempDir Path dir)
      throws Exception {
    byte[] manifest = manifestBytes("bearer");
    Digest digest = Digest.of(manifest);
    server.createContext(
        "/token",
        ex -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          String expected =
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString(("robot:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
          String query = ex.getRequestURI().getQuery();
          if (!expected.equals(auth)
              || !query.contains("service=fake")
              || !query.contains("scope=repository:acme/app:pull")) {
            respond(ex, 401, new byte[0], null);
            return;
          }
          respond(ex, 200, "{\"token\":\"tok-123\"}".getBytes(StandardCharsets.UTF_8), null);
        });
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          if (!"Bearer tok-123".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders()
                .add(
                    "WWW-Authenticate",
                    "Bearer realm=\"http://"
                        + host
                        + "/token\",service=\"fake\",scope=\"repository:acme/app:pull\"");
            respond(ex, 401, new byte[0], null);
            return;
          }
          respond(ex, 200, manifest, MediaTypes.OCI_MANIFEST);
        });
    Path config = dir.resolve("config.json");
    Files.writeString(
        config,
        "{\"auths\":{\"http://"
            + host
            + "\":{\"auth\":\""
            + Base64.getEncoder()
                .encodeToString(("robot:" + PASSWORD).getBytes(StandardCharsets.UTF_8))
            + "\"}}}",
        StandardCharsets.UTF_8);

    Manifest m =
        client(RegistryCredentials.fromDockerConfig(config), RetryPolicy.none())
            .manifest(repo, digest);

    assertThat(m.digest()).isEqualTo(digest);
  }

  @Test
  void manifest_basicChallenge_sendsCredentialsAndNeverLeaksThemInErrors() throws Exception {
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"fake\"");
          respond(ex, 401, new byte[0], null);
        });
    RegistryClient client =
        client(
            RegistryCredentials.of(Map.of(host, new Credential("robot", Secret.of(PASSWORD)))),
            RetryPolicy.none());

    assertThatThrownBy(() -> client.manifest(repo, Digest.of(new byte[] {1})))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.UNAUTHORIZED);
              assertThat(e.getMessage() + e.evidence()).doesNotContain(PASSWORD);
            });
    assertThat(new Credential("robot", Secret.of(PASSWORD)).toString()).doesNotContain(PASSWORD);
  }

  @Test
  void manifest_anonymousAgainstProtectedRegistry_unauthorized() {
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"fake\"");
          respond(ex, 401, new byte[0], null);
        });

    assertThatThrownBy(
            () ->
                client(RegistryCredentials.anonymous(), RetryPolicy.none())
                    .manifest(repo, Digest.of(new byte[] {1})))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.UNAUTHORIZED));
  }

  @Test
  void manifest_503WithRetryAfter_waitsAsToldThenSucceeds() throws Exception {
    byte[] manifest = manifestBytes("retry");
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          if (calls.incrementAndGet() < 3) {
            ex.getResponseHeaders().add("Retry-After", "2");
            respond(ex, calls.get() == 1 ? 503 : 429, new byte[0], null);
            return;
          }
          respond(ex, 200, manifest, MediaTypes.OCI_MANIFEST);
        });

    Manifest m =
        client(RegistryCredentials.anonymous(), RetryPolicy.defaults())
            .manifest(repo, Digest.of(manifest));

    assertThat(m.bytes()).isEqualTo(manifest);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  @Test
  void manifest_500Always_givesUpAfterBudgetWithBackoff() {
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          calls.incrementAndGet();
          respond(ex, 500, new byte[0], null);
        });

    assertThatThrownBy(
            () ->
                client(RegistryCredentials.anonymous(), RetryPolicy.defaults())
                    .manifest(repo, Digest.of(new byte[] {1})))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.REGISTRY_UNAVAILABLE);
              assertThat(e.reason().isTransient()).isTrue();
            });
    assertThat(calls.get()).isEqualTo(4);
    assertThat(sleeps)
        .containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
  }

  @Test
  void manifest_retryAfterBeyondBound_failsWithoutWaiting() {
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders().add("Retry-After", "3600");
          respond(ex, 429, new byte[0], null);
        });

    assertThatThrownBy(
            () ->
                client(RegistryCredentials.anonymous(), RetryPolicy.defaults())
                    .manifest(repo, Digest.of(new byte[] {1})))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> assertThat(e.reason()).isEqualTo(OciReason.REGISTRY_UNAVAILABLE));
    assertThat(sleeps).isEmpty();
  }

  @Test
  void blob_concurrentCallersSameDigest_oneRequestSharedResult() throws Exception {
    byte[] blob = "shared layer".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.of(blob);
    CountDownLatch release = new CountDownLatch(1);
    server.createContext(
        "/v2/acme/app/blobs/",
        ex -> {
          hits.merge("blob", 1, Integer::sum);
          try {
            release.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          respond(ex, 200, blob, "application/octet-stream");
        });
    RegistryClient client = client(RegistryCredentials.anonymous(), RetryPolicy.none());
    Descriptor d =
        new Descriptor("application/octet-stream", digest, blob.length, Optional.empty(), Map.of());
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      List<Future<byte[]>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(callers.submit(() -> client.blob(repo, d)));
      }
      Thread.sleep(300);
      release.countDown();
      for (Future<byte[]> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(blob);
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(hits.get("blob")).isEqualTo(1);
  }

  @Test
  void manifest_servedBytesDifferFromDigest_digestMismatch() {
    byte[] served = manifestBytes("served");
    Digest asked = Digest.of(manifestBytes("asked"));
    server.createContext(
        "/v2/acme/app/manifests/", ex -> respond(ex, 200, served, MediaTypes.OCI_MANIFEST));

    assertThatThrownBy(
            () -> client(RegistryCredentials.anonymous(), RetryPolicy.none()).manifest(repo, asked))
        .isInstanceOfSatisfying(
            DigestMismatchException.class,
            e -> {
              assertThat(e.expected()).isEqualTo(asked);
              assertThat(e.actual()).isEqualTo(Digest.of(served));
            });
  }

  @Test
  void tag_contentDigestHeaderDisagrees_digestMismatch() {
    byte[] served = manifestBytes("tagged");
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders()
              .add("Docker-Content-Digest", Digest.of(manifestBytes("other")).toString());
          respond(ex, 200, served, MediaTypes.OCI_MANIFEST);
        });

    assertThatThrownBy(
            () -> client(RegistryCredentials.anonymous(), RetryPolicy.none()).tag(repo, "v1"))
        .isInstanceOf(DigestMismatchException.class);
  }

  @Test
  void discover_referrersApiWithPagination_listsAllAndChecksSubject() throws Exception {
    byte[] subjectBytes = manifestBytes("subject");
    Digest subject = Digest.of(subjectBytes);
    byte[] bundleJson = "{\"mediaType\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    Descriptor empty = descriptor(MediaTypes.OCI_EMPTY, "{}".getBytes(StandardCharsets.UTF_8));
    Descriptor layer = descriptor(MediaTypes.SIGSTORE_BUNDLE_V03, bundleJson);
    Descriptor subjectD =
        new Descriptor(
            MediaTypes.OCI_MANIFEST, subject, subjectBytes.length, Optional.empty(), Map.of());
    byte[] referrer =
        OciPusher.imageManifest(empty, List.of(layer), subjectD, MediaTypes.SIGSTORE_BUNDLE_V03);
    byte[] stranger =
        OciPusher.imageManifest(
            empty,
            List.of(layer),
            new Descriptor(
                MediaTypes.OCI_MANIFEST, Digest.of(new byte[] {9}), 1, Optional.empty(), Map.of()),
            MediaTypes.SIGSTORE_BUNDLE_V03);
    Map<String, byte[]> manifests =
        Map.of(Digest.of(referrer).toString(), referrer, Digest.of(stranger).toString(), stranger);
    server.createContext(
        "/v2/acme/app/referrers/",
        ex -> {
          boolean second = String.valueOf(ex.getRequestURI().getQuery()).contains("page=2");
          byte[] target = second ? stranger : referrer;
          String index =
              "{\"schemaVersion\":2,\"mediaType\":\""
                  + MediaTypes.OCI_INDEX
                  + "\",\"manifests\":["
                  + new String(
                      OciPusher.bytes(
                          OciPusher.descriptorJson(
                              new Descriptor(
                                  MediaTypes.OCI_MANIFEST,
                                  Digest.of(target),
                                  target.length,
                                  Optional.of(MediaTypes.SIGSTORE_BUNDLE_V03),
                                  Map.of()))),
                      StandardCharsets.UTF_8)
                  + "]}";
          if (!second) {
            ex.getResponseHeaders()
                .add("Link", "</v2/acme/app/referrers/" + subject + "?page=2>; rel=\"next\"");
          }
          respond(ex, 200, index.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_INDEX);
        });
    server.createContext(
        "/v2/acme/app/manifests/",
        ex -> {
          String ref = ex.getRequestURI().getPath().substring("/v2/acme/app/manifests/".length());
          byte[] m = manifests.get(ref);
          respond(ex, m == null ? 404 : 200, m == null ? new byte[0] : m, MediaTypes.OCI_MANIFEST);
        });
    server.createContext(
        "/v2/acme/app/blobs/", ex -> respond(ex, 200, bundleJson, "application/octet-stream"));
    ArtifactDiscovery discovery =
        new ArtifactDiscovery(client(RegistryCredentials.anonymous(), RetryPolicy.none()));

    Attachments found = discovery.discover(repo, subject);

    assertThat(found.referrerSource()).isEqualTo(Attachments.ReferrerSource.REFERRERS_API);
    assertThat(found.referrers())
        .extracting(Descriptor::digest)
        .containsExactly(Digest.of(referrer), Digest.of(stranger));
    // The second page lists a manifest whose subject is another digest: refused, not trusted.
    assertThatThrownBy(() -> discovery.sigstoreBundles(found))
        .isInstanceOfSatisfying(
            OciException.class,
            e ->
                assertThat(e.evidence()).containsEntry("referrer", Digest.of(stranger).toString()));
  }

  private RegistryClient client(RegistryCredentials credentials, RetryPolicy retry) {
    return RegistryClient.builder()
        .plainHttp(host)
        .credentials(credentials)
        .retry(retry)
        .sleeper(sleeps::add)
        .build();
  }

  private static Descriptor descriptor(String mediaType, byte[] content) {
    return new Descriptor(
        mediaType, Digest.of(content), content.length, Optional.empty(), Map.of());
  }

  private static byte[] manifestBytes(String seed) {
    Descriptor config = descriptor(OciPusher.OCI_CONFIG, seed.getBytes(StandardCharsets.UTF_8));
    return OciPusher.imageManifest(config, List.of(), null, null);
  }

  private static void respond(HttpExchange ex, int status, byte[] body, String contentType)
      throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().add("Content-Type", contentType);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
    ex.close();
  }
}
