package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.SuppressForbidden;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registry that answers too much or too slowly: bodies are cut at the cap of their kind while
 * they arrive, whatever {@code Content-Length} says, and a verification's registry work ends at its
 * deadline with {@link OciReason#REGISTRY_TIMEOUT}.
 */
@SuppressForbidden(
    "com.sun.net.httpserver is the exported, supported jdk.httpserver module; forbiddenapis flags"
        + " every com.sun package as internal")
class RegistryCapsAndDeadlineTest {
  private static final byte[] KIB = new byte[1024];

  private HostileRegistry registry;
  private Repository repo;
  private final AtomicLong sent = new AtomicLong();

  @BeforeEach
  void start() throws IOException {
    registry = HostileRegistry.onLoopback();
    repo = new Repository(registry.host(), "acme/app");
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private static Descriptor descriptor(String mediaType, long size) {
    return new Descriptor(mediaType, Digest.of(new byte[] {7}), size, Optional.empty(), Map.of());
  }

  private void endlessBody(String path) {
    registry.on(path, ex -> sent.set(HostileRegistry.stream(ex, KIB, 256L * 1024 * 1024, 0)));
  }

  @Test
  void tag_endlessManifestBody_tooLargeAtTheCapNotMore() {
    endlessBody("/v2/acme/app/manifests/");
    RegistryClient client = registry.client().maxManifestBytes(64 * 1024).build();

    assertThatThrownBy(() -> client.tag(repo, "v1"))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE);
              assertThat(e.evidence()).containsEntry("limit", "65536");
            });
    // The server stops when the client hangs up: far less than the 256 MiB it offered.
    registry.close();
    assertThat(sent.get()).isLessThan(32L * 1024 * 1024);
  }

  @Test
  void tag_declaredLengthAboveCap_tooLargeBeforeReading() {
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.sendResponseHeaders(200, 5L * 1024 * 1024);
          // Sends the headers, then the body slowly until the client hangs up: the client refuses
          // on the declaration. (Ending the exchange short of the declared length would let the
          // server reset the connection before the client read the headers.)
          OutputStream out = ex.getResponseBody();
          try {
            for (long sent = 0; sent < 5L * 1024 * 1024; sent += KIB.length) {
              out.write(KIB);
              out.flush();
            }
          } catch (IOException hungUp) {
            // the client refused and closed: what we want to see
          }
        });

    assertThatThrownBy(() -> registry.client().build().tag(repo, "v1"))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE);
              assertThat(e.evidence()).containsEntry("size", String.valueOf(5L * 1024 * 1024));
            });
  }

  @Test
  void blob_signaturePayloadLargerThanItsDescriptor_tooLargeAtDescriptorSize() {
    endlessBody("/v2/acme/app/blobs/");

    assertThatThrownBy(
            () ->
                registry
                    .client()
                    .build()
                    .blob(repo, descriptor(MediaTypes.COSIGN_SIMPLE_SIGNING, 100)))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE);
              assertThat(e.evidence()).containsEntry("limit", "100");
            });
  }

  @Test
  void blob_signaturePayloadDescriptorAbove64KiB_tooLargeWithoutARequest() {
    endlessBody("/v2/acme/app/blobs/");

    assertThatThrownBy(
            () ->
                registry
                    .client()
                    .build()
                    .blob(repo, descriptor(MediaTypes.COSIGN_SIMPLE_SIGNING, 64 * 1024 + 1)))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> assertThat(e.evidence()).containsEntry("limit", String.valueOf(64 * 1024)));
    assertThat(registry.requests).isEmpty();
  }

  @Test
  void blob_envelopeAndBundleAbove4MiB_tooLargeWithoutARequest() {
    for (String type : List.of(MediaTypes.DSSE_ENVELOPE, MediaTypes.SIGSTORE_BUNDLE_V03)) {
      assertThatThrownBy(
              () ->
                  registry
                      .client()
                      .build()
                      .blob(repo, descriptor(type, OciLimits.defaults().envelopeBytes() + 1)))
          .isInstanceOfSatisfying(
              OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE));
    }
    assertThat(registry.requests).isEmpty();
  }

  @Test
  void blob_layerAboveTheLayerCap_tooLargeWithoutARequest() {
    assertThatThrownBy(
            () ->
                registry
                    .client()
                    .build()
                    .blob(
                        repo,
                        descriptor(
                            "application/vnd.oci.image.layer.v1.tar+gzip",
                            OciLimits.defaults().layerBytes() + 1)))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE));
    assertThat(registry.requests).isEmpty();
  }

  @Test
  void referrers_moreThanTheCapAcrossPages_tooLarge() {
    StringBuilder entries = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      entries
          .append(i == 0 ? "" : ",")
          .append("{\"mediaType\":\"")
          .append(MediaTypes.OCI_MANIFEST)
          .append("\",\"digest\":\"")
          .append(Digest.of(new byte[] {(byte) i}))
          .append("\",\"size\":10}");
    }
    byte[] page =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_INDEX
                + "\",\"manifests\":["
                + entries
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    registry.on(
        "/v2/acme/app/referrers/",
        ex -> {
          ex.getResponseHeaders().add("Link", "</v2/acme/app/referrers/x?page=n>; rel=\"next\"");
          HostileRegistry.respond(ex, 200, page, MediaTypes.OCI_INDEX);
        });

    assertThatThrownBy(() -> registry.client().build().referrers(repo, Digest.of(KIB)))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.TOO_LARGE);
              assertThat(e.getMessage()).contains("more than 64");
            });
    assertThat(registry.requests).hasSize(2);
  }

  @Test
  void blob_tricklingBody_registryTimeoutAtTheDeadline() {
    registry.on(
        "/v2/acme/app/blobs/", ex -> HostileRegistry.stream(ex, new byte[1], 1_000_000, 50));
    RegistryClient client = registry.client().build();
    long start = System.nanoTime();

    Deadline.Scope scope = Deadline.after(Duration.ofMillis(800)).enter();
    try {
      assertThatThrownBy(() -> client.blob(repo, descriptor("application/octet-stream", 100_000)))
          .isInstanceOfSatisfying(
              OciException.class,
              e -> assertThat(e.reason()).isEqualTo(OciReason.REGISTRY_TIMEOUT));
    } finally {
      scope.close();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void manifest_headersNeverSent_registryTimeoutFromTheCallBudget() {
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          try {
            Thread.sleep(20_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    RegistryClient client =
        registry.client().retry(RetryPolicy.defaults()).callTimeout(Duration.ofMillis(700)).build();
    long start = System.nanoTime();

    assertThatThrownBy(() -> client.manifest(repo, Digest.of(KIB)))
        .isInstanceOfSatisfying(
            OciException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(OciReason.REGISTRY_TIMEOUT);
              assertThat(e.reason().isTransient()).isTrue();
            });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void manifest_retryAfterBeyondTheDeadline_registryTimeoutWithoutWaiting() {
    List<Duration> slept = new ArrayList<>();
    registry.on(
        "/v2/acme/app/manifests/",
        ex -> {
          ex.getResponseHeaders().add("Retry-After", "20");
          HostileRegistry.respond(ex, 503, new byte[0], null);
        });
    RegistryClient client =
        registry.client().retry(RetryPolicy.defaults()).sleeper(slept::add).build();

    Deadline.Scope scope = Deadline.after(Duration.ofSeconds(5)).enter();
    try {
      assertThatThrownBy(() -> client.manifest(repo, Digest.of(KIB)))
          .isInstanceOfSatisfying(
              OciException.class,
              e -> assertThat(e.reason()).isEqualTo(OciReason.REGISTRY_TIMEOUT));
    } finally {
      scope.close();
    }
    assertThat(slept).isEmpty();
  }

  @Test
  void propagate_deadlineOfTheSubmittingThread_appliesInTheWorker() throws Exception {
    ExecutorService workers = Executors.newSingleThreadExecutor();
    Deadline.Scope scope = Deadline.after(Duration.ofMillis(300)).enter();
    try {
      Future<Optional<Deadline>> seen = workers.submit(Deadline.propagate(Deadline::current));
      Future<Optional<Deadline>> bare = workers.submit(Deadline::current);

      assertThat(seen.get(5, TimeUnit.SECONDS)).isPresent();
      assertThat(bare.get(5, TimeUnit.SECONDS)).isEmpty();
    } finally {
      scope.close();
      workers.shutdownNow();
    }
    assertThat(Deadline.current()).isEmpty();
  }

  @Test
  void enter_nestedLaterDeadline_keepsTheEarlierOne() {
    Deadline soon = Deadline.after(Duration.ofSeconds(1));
    Deadline.Scope outer = soon.enter();
    Deadline.Scope inner = Deadline.after(Duration.ofHours(1)).enter();
    try {
      assertThat(Deadline.current()).containsSame(soon);
    } finally {
      inner.close();
      outer.close();
    }
    assertThat(Deadline.current()).isEmpty();
  }
}
