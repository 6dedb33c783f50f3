package dev.tollgate.verifier.verify;

import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.engine.RegistryLookups;
import dev.tollgate.verifier.engine.TektonBundleVerifier;
import dev.tollgate.verifier.engine.VerificationPolicy;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.retry.Backoff;
import dev.tollgate.verifier.signature.TrustException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The service's {@link BundleVerification}: one engine per trust configuration (each with its cache
 * of definitive results), one tag cache shared by all, and bounded retries with backoff while the
 * registry answers with transient errors. A transient error that outlasts the retries is reported
 * as such; the decider turns it into an {@code error}, never an admission.
 */
@ApplicationScoped
public class CachingBundleVerification implements BundleVerification {

  /** {@code tollgate_verifier_verification_seconds{verdict,cached}} in Prometheus. */
  public static final String VERIFICATION_LATENCY = "tollgate.verifier.verification";

  private final VerifierConfig.Registry registryConfig;
  private final Backoff backoff;
  private final MeterRegistry meters;
  private final Clock clock;
  private final Map<String, TektonBundleVerifier> verifiers = new ConcurrentHashMap<>();

  /** One latency timer per verdict and cached-or-not, registered when first seen. */
  private final Map<LatencyTags, Timer> latencies = new ConcurrentHashMap<>();

  private record LatencyTags(Verdict verdict, boolean cached) {}

  /** One for every trust configuration: a tag's digest is verified under whichever asks. */
  private final TagCache tags;

  /** The one bounded executor for registry lookups of every engine; closed with the service. */
  private final RegistryLookups lookups;

  private volatile OciSource registry;

  @Inject
  public CachingBundleVerification(VerifierConfig config, MeterRegistry meters) {
    this(config, meters, Clock.systemUTC());
  }

  /** With {@code clock} for the engines' validity checks. */
  public CachingBundleVerification(VerifierConfig config, MeterRegistry meters, Clock clock) {
    this.registryConfig = config.registry();
    this.backoff = Backoff.of(config.retry());
    this.meters = meters;
    this.clock = clock;
    this.tags =
        TagCache.create(
            config.registry().tagCache().ttl(), config.registry().tagCache().maxEntries());
    this.lookups = RegistryLookups.create(config.registry().lookupThreads());
  }

  @PreDestroy
  void close() {
    lookups.close();
  }

  @Override
  public VerificationOutcome verify(TriggerPolicy policy) {
    TektonBundleVerifier verifier;
    try {
      verifier = verifier(policy.trust());
    } catch (TrustException | OciException e) {
      return new VerificationOutcome.TrustUnusable(e.getMessage());
    }
    VerificationReport report = null;
    for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
      if (attempt > 1) {
        try {
          backoff.pause(attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new VerificationOutcome.Interrupted();
        }
      }
      long started = System.nanoTime();
      report = verifier.verify(policy.run().bundle(), policy.run().pipeline());
      latencies
          .computeIfAbsent(new LatencyTags(report.verdict(), report.cached()), this::latency)
          .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      if (report.verdict() != Verdict.TRANSIENT_ERROR) {
        return new VerificationOutcome.Reported(report, attempt);
      }
    }
    return new VerificationOutcome.Reported(report, backoff.maxAttempts());
  }

  private Timer latency(LatencyTags tags) {
    return Timer.builder(VERIFICATION_LATENCY)
        .description("Bundle verifications: resolve, signatures, contents, scans, provenance")
        .tag("verdict", tags.verdict().name().toLowerCase(Locale.ROOT))
        .tag("cached", Boolean.toString(tags.cached()))
        .publishPercentileHistogram()
        .register(meters);
  }

  private TektonBundleVerifier verifier(VerificationPolicy trust)
      throws TrustException, OciException {
    TektonBundleVerifier v = verifiers.get(trust.fingerprint());
    if (v == null) {
      v = TektonBundleVerifier.create(registry(), trust, clock, tags, lookups);
      verifiers.put(trust.fingerprint(), v);
    }
    return v;
  }

  private OciSource registry() throws OciException {
    if (registry == null) {
      registry = RegistryAccess.client(registryConfig);
    }
    return registry;
  }
}
