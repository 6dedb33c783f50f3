package dev.tollgate.verifier.engine;

import dev.tollgate.verifier.attestation.AttestationCollector;
import dev.tollgate.verifier.attestation.AttestationReason;
import dev.tollgate.verifier.attestation.ProvenanceEvaluator;
import dev.tollgate.verifier.attestation.ScanEvaluator;
import dev.tollgate.verifier.bundle.TaskInspector;
import dev.tollgate.verifier.bundle.TektonBundleReader;
import dev.tollgate.verifier.oci.ArtifactDiscovery;
import dev.tollgate.verifier.oci.Deadline;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.Manifest;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.oci.TagResolution;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Outcome;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.ImageSignatureVerifier;
import dev.tollgate.verifier.signature.SignatureReason;
import dev.tollgate.verifier.signature.StatementSignatureVerifier;
import dev.tollgate.verifier.signature.TrustException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a Tekton bundle reference end to end: resolve the reference once to a digest, verify the
 * bundle's signature and read it per Tekton's contract ({@link SignedBundleReader}), find the
 * pipeline and every task it runs, verifying and pinning referenced task bundles the same way
 * ({@link PipelineInspector}), then check each step image's vulnerability scan and provenance
 * attestations ({@link TaskImageAttestations}).
 *
 * <p>Everything found goes into one {@link VerificationReport}. Definitive results (verified or
 * denied) are cached by bundle digest and the policy fingerprint; a result with a transient error
 * (registry unavailable) is never cached and never admits. A bundle named by tag is resolved
 * through a {@link TagCache}: within its TTL a warm verification by tag makes no registry round
 * trip, and the report's {@code bundle.resolve} check says whether the digest came from the cache
 * and when it was resolved. Only a tag whose digest verified stays in the cache.
 */
public final class TektonBundleVerifier {
  private final OciSource source;
  private final VerificationPolicy policy;
  private final Clock clock;
  private final TagCache tags;
  private final ResultCache cache;

  /**
   * Failure codes that say something is not published yet rather than wrong: a result denied for
   * one of them is kept only {@code missingTtl}.
   */
  private static final Set<String> NOT_THERE_YET =
      Set.of(
          SignatureReason.SIGNATURE_MISSING.name(),
          AttestationReason.SCAN_MISSING.name(),
          AttestationReason.PROVENANCE_MISSING.name());

  private final SignedBundleReader bundles;
  private final PipelineInspector pipelines;
  private final TaskImageAttestations images;

  private TektonBundleVerifier(
      OciSource source,
      VerificationPolicy policy,
      Clock clock,
      TagCache tags,
      RegistryLookups lookups,
      ArtifactDiscovery discovery,
      ImageSignatureVerifier signatures,
      StatementSignatureVerifier statements) {
    this.source = source;
    this.policy = policy;
    this.clock = clock;
    this.tags = tags;
    this.cache = new ResultCache(policy.cacheMaxEntries());
    AttestationCollector attestations = new AttestationCollector(source, discovery, statements);
    this.bundles =
        new SignedBundleReader(
            discovery, signatures, attestations, new TektonBundleReader(source), policy);
    this.pipelines = new PipelineInspector(source, bundles, new TaskInspector(policy.steps()));
    this.images =
        new TaskImageAttestations(
            attestations,
            new ScanEvaluator(policy.vulnerabilities()),
            new ProvenanceEvaluator(policy.provenance()),
            lookups.executor());
  }

  /**
   * Loads trusted roots once, here. Bundle tags are resolved through {@code tags}, which verifiers
   * of other trust configurations over the same source may share (the trust is not part of its key:
   * whatever digest it gives is verified under this verifier's policy). Registry lookups run
   * concurrently on {@code lookups}, which the caller owns and closes.
   */
  public static TektonBundleVerifier create(
      OciSource source,
      VerificationPolicy policy,
      Clock clock,
      TagCache tags,
      RegistryLookups lookups)
      throws TrustException {
    ArtifactDiscovery discovery = new ArtifactDiscovery(source, lookups.executor());
    return new TektonBundleVerifier(
        source,
        policy,
        clock,
        tags,
        lookups,
        discovery,
        ImageSignatureVerifier.create(source, discovery, policy.bundleSigners(), clock),
        StatementSignatureVerifier.create(policy.attestationSigners()));
  }

  /** As above, with bundle tags cached under {@link TagCache#defaults()}. */
  public static TektonBundleVerifier create(
      OciSource source, VerificationPolicy policy, Clock clock, RegistryLookups lookups)
      throws TrustException {
    return create(source, policy, clock, TagCache.defaults(), lookups);
  }

  /** Parses and verifies a reference string; an invalid reference is a denial. */
  public VerificationReport verify(String reference) {
    return verify(reference, Optional.empty());
  }

  /**
   * Parses and verifies a reference string for the one pipeline that will run: the bundle must hold
   * a Pipeline of that name, and only that pipeline's tasks are inspected.
   */
  public VerificationReport verify(String reference, String pipeline) {
    return verify(reference, Optional.of(pipeline));
  }

  private VerificationReport verify(String reference, Optional<String> pipeline) {
    try {
      return verify(ImageReference.parse(reference), pipeline);
    } catch (OciException e) {
      return resolveFailed(String.valueOf(reference), e, clock.instant());
    }
  }

  /** Verifies every pipeline of the bundle {@code reference} names. */
  public VerificationReport verify(ImageReference reference) {
    return verify(reference, Optional.empty());
  }

  /**
   * Verifies the bundle {@code reference} names: only the named pipeline when one is given (it must
   * exist), every pipeline otherwise.
   */
  public VerificationReport verify(ImageReference reference, Optional<String> pipeline) {
    // One time budget for every registry round trip of this verification, task bundles and
    // image lookups included: a slow or stalling registry ends it with REGISTRY_TIMEOUT.
    Deadline.Scope budget = Deadline.after(Deadline.VERIFICATION_BUDGET).enter();
    try {
      return verifyWithinBudget(reference, pipeline);
    } finally {
      budget.close();
    }
  }

  private VerificationReport verifyWithinBudget(
      ImageReference reference, Optional<String> pipeline) {
    Instant now = clock.instant();
    // A result is about one pipeline of the bundle: cache it under that name too.
    String cacheKey = policy.fingerprint() + pipeline.map(p -> "#pipeline=" + p).orElse("");
    String requested = reference.toString();
    // Resolve the tag once (or take it from the tag cache), then work only by digest.
    Digest digest;
    Optional<Manifest> fetched;
    Check resolved;
    if (reference.digest().isPresent()) {
      digest = reference.digest().get();
      fetched = Optional.empty();
      resolved =
          Check.passed(
              "bundle.resolve",
              requested,
              "referenced by digest " + digest,
              Map.of("digest", digest.toString(), "pinned", reference.toString()));
    } else {
      TagResolution resolution;
      try {
        resolution = tags.resolve(source, reference, now);
      } catch (OciException e) {
        return resolveFailed(requested, e, now);
      }
      digest = resolution.digest();
      fetched = resolution.manifest();
      resolved =
          Check.passed("bundle.resolve", requested, resolution.describe(), resolution.evidence());
    }
    ImageReference pinned = reference.pinned(digest);
    // A definitive result for that digest needs no further registry round trip.
    Optional<VerificationReport> hit = cache.get(digest, cacheKey, now);
    if (hit.isPresent()) {
      return kept(reference, digest, cached(requested, hit.get(), resolved));
    }
    Manifest manifest;
    try {
      manifest = fetched.isPresent() ? fetched.get() : source.manifest(pinned.repository(), digest);
    } catch (OciException e) {
      return kept(reference, digest, resolveFailed(requested, e, now));
    }
    VerificationReport report =
        VerificationReport.of(
            requested,
            Optional.of(pinned.toString()),
            checks(resolved, pinned, manifest, pipeline, now),
            now,
            policy.fingerprint());
    if (report.verdict() != Verdict.TRANSIENT_ERROR) {
      cache.put(manifest.digest(), cacheKey, report, validUntil(report, now));
    }
    return kept(reference, manifest.digest(), report);
  }

  /** Every check of one verification, in the order a reader follows them. */
  private List<Check> checks(
      Check resolved,
      ImageReference pinned,
      Manifest manifest,
      Optional<String> pipeline,
      Instant now) {
    List<Check> checks = new ArrayList<>();
    checks.add(resolved);
    SignedBundleReader.BundleRead read = bundles.read("bundle", pinned, manifest, now);
    checks.addAll(read.checks());
    if (read.bundle().isPresent()) {
      PipelineInspector.Inspection inspection =
          pipelines.inspect(read.bundle().get(), pipeline, now);
      checks.addAll(inspection.checks());
      checks.addAll(images.check(inspection.images(), now));
    }
    return checks;
  }

  private VerificationReport resolveFailed(String requested, OciException e, Instant now) {
    return VerificationReport.of(
        requested,
        Optional.empty(),
        List.of(ReportChecks.ociCheck("bundle.resolve", requested, e)),
        now,
        policy.fingerprint());
  }

  /**
   * A tag keeps its cached digest only while that digest verifies: after a denial or an error the
   * next verification asks the registry again, so a fix pushed under the same tag is seen at once.
   */
  private VerificationReport kept(
      ImageReference reference, Digest digest, VerificationReport report) {
    if (!report.verified() && reference.digest().isEmpty()) {
      tags.forget(source, reference, digest);
    }
    return report;
  }

  /**
   * The cached result, with this request's resolution in place of the one made when it was
   * computed: the report says how this verification reached the digest (by digest, from the
   * registry, or from the tag cache and when), the other checks are about the digest.
   */
  private static VerificationReport cached(String requested, VerificationReport r, Check resolved) {
    List<Check> checks = new ArrayList<>();
    checks.add(resolved);
    r.checks().stream().filter(c -> !c.name().equals(resolved.name())).forEach(checks::add);
    return new VerificationReport(
        requested, r.pinned(), r.verdict(), checks, r.verifiedAt(), r.trustFingerprint(), true);
  }

  /**
   * The TTL, or earlier when a passed check is valid only until then (a scan, a waiver), or the
   * short {@code missingTtl} when a check failed because something is not there yet (a signature or
   * attestation pushed a moment after the bundle): such a denial is no definitive answer.
   */
  private Instant validUntil(VerificationReport report, Instant now) {
    Instant until = now.plus(policy.cacheTtl());
    boolean missing =
        report.checks().stream()
            .anyMatch(c -> c.outcome() == Outcome.FAILED && NOT_THERE_YET.contains(c.code()));
    if (missing && policy.missingTtl().compareTo(policy.cacheTtl()) < 0) {
      until = now.plus(policy.missingTtl());
    }
    for (Check c : report.checks()) {
      String v = c.evidence().get("validUntil");
      if (v != null && c.outcome() == Outcome.PASSED) {
        try {
          Instant t = Instant.parse(v);
          if (t.isBefore(until)) {
            until = t;
          }
        } catch (DateTimeParseException e) {
          return now;
        }
      }
    }
    return until;
  }
}
