package dev.tollgate.verifier.engine;

import static dev.tollgate.verifier.engine.BundleFixtures.BUILDER;
import static dev.tollgate.verifier.engine.BundleFixtures.NOW;

import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bundle verification against a real local docker-registry (verifier/bench/run):
 *
 * <ul>
 *   <li>{@code warmPinned}, {@code warmTag}: verifications/s and latency percentiles with a warm
 *       result cache, in the normal configuration (by digest: no registry round trip; by tag: the
 *       tag's digest from the tag cache, no round trip either). The clock is fixed, so the tag
 *       cache never expires here: in service one verification per tag per TTL (30 s by default)
 *       pays the round trip that {@code warmTagNoTagCache} shows;
 *   <li>{@code warmTagNoTagCache}: by tag with the tag cache off ({@code PT0S}), the verifier
 *       resolving the tag with one round trip each time, as every verification by tag did before
 *       the tag cache;
 *   <li>{@code cold}: a verifier with an empty cache each time, over the same warm HTTP
 *       connections; the fork prints how many registry round trips one cold verification made, how
 *       long they took (request sent to response headers) and the rest (bodies, parsing, signature
 *       and DSSE verification, CEL);
 *   <li>{@code bareRoundTrip}: one manifest GET with a plain JDK HttpClient, the cost of a round
 *       trip with nothing around it;
 *   <li>{@code replayRoundTrips}: the very requests one cold verification made (recorded at
 *       setup), sent one after another with a plain JDK HttpClient and nothing done with the
 *       answers: what the round trips a cold verification needs cost by themselves. The target is
 *       cold &lt;= 1.5 x this. (The listener records URIs, not methods: every request is replayed as
 *       a GET, which costs at least what a HEAD does.)
 * </ul>
 *
 * The bundle: a pipeline of two embedded tasks on two images and one task from a second bundle
 * through the bundles resolver (both bundles signed, cosign .sig; each image with a signed Grype
 * scan and SLSA v1 provenance, cosign .att), CEL condition on the builder.
 */
@State(Scope.Benchmark)
public class VerificationBenchmark {
  static final AtomicLong TRIPS = new AtomicLong();
  static final AtomicLong TRIP_NANOS = new AtomicLong();
  static final AtomicLong COLD_COUNT = new AtomicLong();
  static final AtomicLong COLD_NANOS = new AtomicLong();
  static final AtomicLong COLD_TRIPS = new AtomicLong();
  static final AtomicLong COLD_TRIP_NANOS = new AtomicLong();

  TemporaryDirectory storage;
  RegistryServer registry;
  RegistryClient client;
  VerificationPolicy policy;
  TektonBundleVerifier warm;
  TektonBundleVerifier warmNoTagCache;
  String pinned;
  String tagged;
  URI manifestUri;
  HttpClient bare;
  List<URI> coldRequests;

  @Setup(Level.Trial)
  public void start() throws Exception {
    storage = TemporaryDirectory.create("tollgate-bench-registry-");
    registry = RegistryServer.start(storage.path());
    BundleFixtures.start(registry);
    String a =
        BundleFixtures.attestedImage(
            BundleFixtures.scan(NOW.minus(Duration.ofDays(1))),
            BundleFixtures.provenanceV1(BUILDER));
    String b =
        BundleFixtures.attestedImage(
            BundleFixtures.scan(NOW.minus(Duration.ofDays(1))),
            BundleFixtures.provenanceV1(BUILDER));
    String tasks =
        BundleFixtures.signedBundle(
            List.of(BundleFixtures.task("lint", b, BundleFixtures.secure())));
    Pushed bundle =
        BundleFixtures.pushBundle(
            "bench",
            List.of(
                BundleFixtures.pipeline(
                    "release",
                    BundleFixtures.embeddedTask("build", a, BundleFixtures.secure()),
                    BundleFixtures.embeddedTask("test", a, BundleFixtures.secure()),
                    BundleFixtures.resolverTask("lint", tasks, "lint"))),
            true);
    var repo = BundleFixtures.PUSHED.get(bundle.digest());
    pinned = repo + "@" + bundle.digest();
    tagged = repo + ":v1";
    manifestUri =
        URI.create(
            "http://" + registry.host() + "/v2/" + repo.name() + "/manifests/" + bundle.digest());
    client =
        RegistryClient.builder()
            .plainHttp(registry.host())
            .roundTrips(
                (uri, status, elapsed) -> {
                  TRIPS.incrementAndGet();
                  TRIP_NANOS.addAndGet(elapsed.toNanos());
                })
            .build();
    bare = HttpClient.newHttpClient();
    policy =
        BundleFixtures.policy(
            dev.tollgate.verifier.bundle.StepPolicy.strict(),
            dev.tollgate.verifier.attestation.ScanPolicy.defaults(),
            new dev.tollgate.verifier.attestation.ProvenancePolicy(
                true,
                List.of(
                    dev.tollgate.verifier.attestation.ProvenanceCondition.compile(
                        "chains", "builderId == '" + BUILDER + "'"))));
    warm = TektonBundleVerifier.create(client, policy, BundleFixtures.clock(), BundleFixtures.LOOKUPS);
    VerificationReport first = warm.verify(pinned);
    if (!first.verified()) {
      throw new IllegalStateException("the benchmark bundle does not verify:\n" + first.toText());
    }
    warmNoTagCache =
        TektonBundleVerifier.create(client, policy, BundleFixtures.clock(), TagCache.disabled(), BundleFixtures.LOOKUPS);
    VerificationReport byTag = warmNoTagCache.verify(tagged);
    if (!byTag.verified()) {
      throw new IllegalStateException("the bundle does not verify by tag:\n" + byTag.toText());
    }
    List<URI> recorded = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    RegistryClient recording =
        RegistryClient.builder()
            .plainHttp(registry.host())
            .roundTrips((uri, status, elapsed) -> recorded.add(uri))
            .build();
    VerificationReport cold =
        TektonBundleVerifier.create(recording, policy, BundleFixtures.clock(), BundleFixtures.LOOKUPS).verify(pinned);
    if (!cold.verified()) {
      throw new IllegalStateException("the recorded cold verification failed:\n" + cold.toText());
    }
    coldRequests = List.copyOf(recorded);
  }

  @TearDown(Level.Trial)
  @SuppressForbidden("the benchmark reports its breakdown on the console")
  public void stop() throws Exception {
    long n = COLD_COUNT.get();
    if (n > 0) {
      double total = COLD_NANOS.get() / 1e6 / n;
      double trips = (double) COLD_TRIPS.get() / n;
      double registryMs = COLD_TRIP_NANOS.get() / 1e6 / n;
      System.out.printf(
          Locale.ROOT,
          "%ncold verification (mean of %d): %.2f ms wall; %.1f registry round trips, their"
              + " times summing to %.2f ms (%.3f ms each; concurrent ones overlap)%n",
          n,
          total,
          trips,
          registryMs,
          registryMs / trips);
      System.out.printf(
          Locale.ROOT,
          "replayRoundTrips sends the %d requests one cold verification made, one after another%n",
          coldRequests.size());
    }
    try {
      registry.close();
    } finally {
      storage.close();
    }
  }

  @Benchmark
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public VerificationReport warmPinned() {
    return warm.verify(pinned);
  }

  @Benchmark
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public VerificationReport warmTag() {
    return warm.verify(tagged);
  }

  @Benchmark
  @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public VerificationReport warmTagNoTagCache() {
    return warmNoTagCache.verify(tagged);
  }

  /** A verifier with an empty cache for every invocation. */
  @State(Scope.Thread)
  public static class Cold {
    TektonBundleVerifier fresh;

    @Setup(Level.Invocation)
    public void fresh(VerificationBenchmark b) throws Exception {
      fresh = TektonBundleVerifier.create(b.client, b.policy, BundleFixtures.clock(), BundleFixtures.LOOKUPS);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public VerificationReport cold(Cold c) {
    long trips = TRIPS.get();
    long tripNanos = TRIP_NANOS.get();
    long start = System.nanoTime();
    VerificationReport r = c.fresh.verify(pinned);
    COLD_NANOS.addAndGet(System.nanoTime() - start);
    COLD_TRIPS.addAndGet(TRIPS.get() - trips);
    COLD_TRIP_NANOS.addAndGet(TRIP_NANOS.get() - tripNanos);
    COLD_COUNT.incrementAndGet();
    if (!r.verified()) {
      throw new IllegalStateException(r.toText());
    }
    return r;
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public byte[] bareRoundTrip() throws Exception {
    return bare.send(
            HttpRequest.newBuilder(manifestUri)
                .header("Accept", MediaTypes.OCI_MANIFEST)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray())
        .body();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public long replayRoundTrips() throws Exception {
    long bytes = 0;
    for (URI uri : coldRequests) {
      bytes +=
          bare.send(
                  HttpRequest.newBuilder(uri)
                      .header(
                          "Accept",
                          String.join(
                              ",",
                              MediaTypes.OCI_MANIFEST,
                              MediaTypes.OCI_INDEX,
                              MediaTypes.DOCKER_MANIFEST))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray())
              .body()
              .length;
    }
    return bytes;
  }
}
