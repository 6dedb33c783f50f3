package dev.tollgate.verifier.engine;

import dev.tollgate.verifier.attestation.AttestationCollector;
import dev.tollgate.verifier.attestation.ProvenanceEvaluator;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanEvaluator;
import dev.tollgate.verifier.bundle.BundleException;
import dev.tollgate.verifier.bundle.BundleReason;
import dev.tollgate.verifier.bundle.BundleResource;
import dev.tollgate.verifier.bundle.PinnedImage;
import dev.tollgate.verifier.bundle.PipelineTasks;
import dev.tollgate.verifier.bundle.TaskInspector;
import dev.tollgate.verifier.bundle.TektonBundle;
import dev.tollgate.verifier.bundle.TektonBundleReader;
import dev.tollgate.verifier.oci.ArtifactDiscovery;
import dev.tollgate.verifier.oci.Attachments;
import dev.tollgate.verifier.oci.Deadline;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.Lookups;
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
import dev.tollgate.verifier.signature.SignatureCheck;
import dev.tollgate.verifier.signature.SignatureReport;
import dev.tollgate.verifier.signature.StatementSignatureVerifier;
import dev.tollgate.verifier.signature.TrustException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Verifies a Tekton bundle reference end to end: resolve the reference once to a digest, verify the
 * bundle's signature, read it per Tekton's contract, find the pipeline and every task it runs
 * (verifying and pinning referenced task bundles the same way), inspect every step and sidecar,
 * then check each task image's vulnerability scan and provenance attestations.
 *
 * <p>Everything found goes into one {@link VerificationReport}. Definitive results (verified or
 * denied) are cached by bundle digest and the policy fingerprint; a result with a transient error
 * (registry unavailable) is never cached and never admits. A bundle named by tag is resolved
 * through a {@link TagCache}: within its TTL a warm verification by tag makes no registry round
 * trip, and the report's {@code bundle.resolve} check says whether the digest came from the cache
 * and when it was resolved. Only a tag whose digest verified stays in the cache.
 */
public final class BundleVerifier {
  /** Daemon threads for fetching task images' attestations concurrently. */
  private static final ExecutorService IMAGES =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "tollgate-attestations");
            t.setDaemon(true);
            return t;
          });

  private final OciSource source;
  private final VerificationPolicy policy;
  private final Clock clock;
  private final ImageSignatureVerifier signatures;
  private final AttestationCollector attestations;
  private final TektonBundleReader reader;
  private final TaskInspector inspector;
  private final ScanEvaluator scans;
  private final ProvenanceEvaluator provenance;
  private final BundleAttestationPolicy bundleAttestations;
  private final ResultCache cache;
  private final ArtifactDiscovery discovery;
  private final TagCache tags;

  private BundleVerifier(
      OciSource source,
      VerificationPolicy policy,
      Clock clock,
      TagCache tags,
      ImageSignatureVerifier signatures,
      StatementSignatureVerifier statements) {
    this.source = source;
    this.tags = tags;
    this.policy = policy;
    this.clock = clock;
    this.signatures = signatures;
    this.attestations = new AttestationCollector(source, statements);
    this.reader = new TektonBundleReader(source);
    this.inspector = new TaskInspector(policy.steps());
    this.scans = new ScanEvaluator(policy.vulnerabilities());
    this.provenance = new ProvenanceEvaluator(policy.provenance());
    this.bundleAttestations = policy.bundleAttestations();
    this.cache = new ResultCache(policy.cacheMaxEntries());
    this.discovery = new ArtifactDiscovery(source);
  }

  /** Loads trusted roots once, here; bundle tags are cached with {@link TagCache#defaults()}. */
  public static BundleVerifier create(OciSource source, VerificationPolicy policy, Clock clock)
      throws TrustException {
    return create(source, policy, clock, TagCache.defaults());
  }

  /**
   * Loads trusted roots once, here; bundle tags are resolved through {@code tags}, which verifiers
   * of other trust configurations over the same source may share (the trust is not part of its key:
   * whatever digest it gives is verified under this verifier's policy).
   */
  public static BundleVerifier create(
      OciSource source, VerificationPolicy policy, Clock clock, TagCache tags)
      throws TrustException {
    return new BundleVerifier(
        source,
        policy,
        clock,
        tags,
        ImageSignatureVerifier.create(source, policy.bundleSigners(), clock),
        StatementSignatureVerifier.create(policy.attestationSigners()));
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
      return VerificationReport.of(
          String.valueOf(reference),
          Optional.empty(),
          List.of(ociCheck("bundle.resolve", String.valueOf(reference), e)),
          clock.instant(),
          policy.fingerprint());
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
    List<Check> checks = new ArrayList<>();
    checks.add(resolved);
    Optional<TektonBundle> bundle = verifyAndRead("bundle", pinned, manifest, now, checks);
    if (bundle.isPresent()) {
      List<PinnedImage> images = new ArrayList<>();
      inspectPipelines(bundle.get(), pipeline, now, checks, images);
      checkImages(images, now, checks);
    }
    VerificationReport report =
        VerificationReport.of(
            requested, Optional.of(pinned.toString()), checks, now, policy.fingerprint());
    if (report.verdict() != Verdict.TRANSIENT_ERROR) {
      cache.put(manifest.digest(), cacheKey, report, validUntil(report, now));
    }
    return kept(reference, manifest.digest(), report);
  }

  private VerificationReport resolveFailed(String requested, OciException e, Instant now) {
    return VerificationReport.of(
        requested,
        Optional.empty(),
        List.of(ociCheck("bundle.resolve", requested, e)),
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

  /** Signature first; the bundle is read even when unsigned so the report lists every problem. */
  private Optional<TektonBundle> verifyAndRead(
      String what, ImageReference pinned, Manifest manifest, Instant now, List<Check> checks) {
    String subject = what + " " + pinned;
    Optional<Attachments> attachments = Optional.empty();
    try {
      // Discovered once for the signature and the bundle's own attestations.
      attachments = Optional.of(discovery.discover(pinned.repository(), manifest.digest()));
      SignatureReport report = signatures.verify(pinned, manifest, attachments.get());
      checks.addAll(signatureChecks(what + ".signature", subject, report));
    } catch (OciException e) {
      checks.add(ociCheck(what + ".signature", subject, e));
    }
    if (attachments.isPresent()) {
      checkBundleAttestations(what, subject, pinned, attachments.get(), now, checks);
    }
    try {
      return Optional.of(reader.read(pinned, manifest));
    } catch (BundleException e) {
      checks.add(
          Check.failed(
              what + ".contents",
              subject,
              e.reason().name(),
              e.getMessage(),
              e.reason().remediation(),
              e.evidence()));
    } catch (OciException e) {
      checks.add(ociCheck(what + ".contents", subject, e));
    }
    return Optional.empty();
  }

  /**
   * The scan and provenance of a bundle itself, judged like a task image's; a missing one fails
   * only when the policy requires it.
   */
  private void checkBundleAttestations(
      String what,
      String subject,
      ImageReference pinned,
      Attachments attachments,
      Instant now,
      List<Check> checks) {
    AttestationCollector.Collected found;
    try {
      found =
          attestations.collect(
              pinned.repository(), pinned.digest().orElseThrow(), attachments, now);
    } catch (OciException e) {
      checks.add(ociCheck(what + ".attestations", subject, e));
      return;
    }
    checks.add(
        new ScanEvaluator(
                policy.vulnerabilities(),
                what + ".vulnerabilities",
                bundleAttestations.requireScan())
            .evaluate(subject, pinned, found, now));
    checks.add(
        new ProvenanceEvaluator(
                new ProvenancePolicy(
                    bundleAttestations.requireProvenance(), policy.provenance().conditions()),
                what + ".provenance")
            .evaluate(subject, pinned, found, now));
  }

  private void inspectPipelines(
      TektonBundle bundle,
      Optional<String> only,
      Instant now,
      List<Check> checks,
      List<PinnedImage> images) {
    List<BundleResource> pipelines = bundle.ofKind("pipeline");
    if (only.isPresent()) {
      Optional<BundleResource> named = bundle.find("pipeline", only.get());
      if (named.isEmpty()) {
        List<String> names = pipelines.stream().map(BundleResource::name).toList();
        checks.add(
            Check.failed(
                "bundle.pipeline",
                bundle.pinned().toString(),
                BundleReason.RESOURCE_NOT_FOUND.name(),
                "the bundle holds no Pipeline '"
                    + only.get()
                    + "'"
                    + (names.isEmpty() ? "" : " (it holds " + String.join(", ", names) + ")"),
                BundleReason.RESOURCE_NOT_FOUND.remediation(),
                Map.of("pipeline", only.get(), "pipelines", String.join(",", names))));
        return;
      }
      checks.add(
          Check.passed(
              "bundle.pipeline",
              bundle.pinned().toString(),
              "the bundle holds Pipeline '" + only.get() + "'",
              Map.of("pipeline", only.get())));
      pipelines = List.of(named.get());
    }
    if (pipelines.isEmpty()) {
      checks.add(
          Check.failed(
              "bundle.pipeline",
              bundle.pinned().toString(),
              BundleReason.RESOURCE_NOT_FOUND.name(),
              "the bundle holds no Pipeline",
              BundleReason.RESOURCE_NOT_FOUND.remediation(),
              Map.of()));
      return;
    }
    Map<Digest, TektonBundle> taskBundles = new LinkedHashMap<>();
    // A task referenced through the resolver from this very bundle (by digest, or by a tag that
    // still points at it) is read from what was verified, not fetched and verified again.
    taskBundles.put(bundle.pinned().digest().orElseThrow(), bundle);
    for (BundleResource p : pipelines) {
      String pipeline = "pipeline/" + p.name();
      for (PipelineTasks.TaskUse use : PipelineTasks.of(p.spec())) {
        String task = pipeline + " task/" + use.pipelineTask();
        switch (use.source()) {
          case EMBEDDED:
            inspect(task, use.spec().orElseThrow(), checks, images);
            break;
          case BY_NAME:
            checks.add(
                Check.failed(
                    "pipeline.taskRef",
                    task,
                    BundleReason.UNSUPPORTED_REFERENCE.name(),
                    "taskRef by bare name '"
                        + use.taskName()
                        + "' runs whatever Task of that name is in the run's namespace, not one"
                        + " from this bundle; reference it with resolver: bundles (this bundle's"
                        + " reference and name: "
                        + use.taskName()
                        + ")",
                    BundleReason.UNSUPPORTED_REFERENCE.remediation(),
                    Map.of("task", use.taskName())));
            break;
          case BUNDLE_RESOLVER:
            referencedBundle(bundle, task, use, taskBundles, now, checks, images);
            break;
          default:
            checks.add(
                Check.failed(
                    "pipeline.taskRef",
                    task,
                    BundleReason.UNSUPPORTED_REFERENCE.name(),
                    "task reference cannot be verified: " + use.unsupported().orElse(""),
                    BundleReason.UNSUPPORTED_REFERENCE.remediation(),
                    Map.of()));
            break;
        }
      }
    }
  }

  private void referencedBundle(
      TektonBundle root,
      String task,
      PipelineTasks.TaskUse use,
      Map<Digest, TektonBundle> verified,
      Instant now,
      List<Check> checks,
      List<PinnedImage> images) {
    String written = use.bundle().orElseThrow();
    ImageReference ref;
    Manifest manifest;
    try {
      ref = ImageReference.parse(written);
      Optional<Check> unpinned = PipelineTasks.unpinnedBundle(task, ref);
      if (unpinned.isPresent()) {
        checks.add(unpinned.get());
        return;
      }
      manifest = source.resolve(ref);
    } catch (OciException e) {
      checks.add(ociCheck("task.bundle", task + " bundle " + written, e));
      return;
    }
    ImageReference pinned = ref.pinned(manifest.digest());
    TektonBundle taskBundle = verified.get(manifest.digest());
    if (taskBundle == null) {
      checks.add(
          Check.passed(
              "task.bundle.resolve",
              task,
              (ref.digest().isPresent()
                      ? "referenced by digest "
                      : "tag resolved once and pinned to ")
                  + manifest.digest(),
              Map.of("bundle", written, "pinned", pinned.toString())));
      Optional<TektonBundle> read = verifyAndRead("task.bundle", pinned, manifest, now, checks);
      if (read.isEmpty()) {
        return;
      }
      taskBundle = read.get();
      verified.put(manifest.digest(), taskBundle);
    } else if (taskBundle == root) {
      checks.add(
          Check.passed(
              "task.bundle.resolve",
              task,
              "the pipeline's own bundle " + manifest.digest() + ", verified above",
              Map.of("bundle", written, "pinned", pinned.toString())));
    }
    Optional<BundleResource> r = taskBundle.find(use.kind(), use.taskName());
    if (r.isEmpty()) {
      checks.add(notFound(task, use, pinned));
      return;
    }
    inspect(task + " (" + pinned + ")", r.get().spec(), checks, images);
  }

  private void inspect(
      String task,
      com.fasterxml.jackson.databind.JsonNode spec,
      List<Check> checks,
      List<PinnedImage> images) {
    TaskInspector.Inspection inspection = inspector.inspect(task, spec);
    checks.addAll(inspection.checks());
    images.addAll(inspection.images());
  }

  private void checkImages(List<PinnedImage> images, Instant now, List<Check> checks) {
    Map<String, PinnedImage> unique = new LinkedHashMap<>();
    images.forEach(i -> unique.putIfAbsent(i.pinned().toString(), i));
    // Each image's attestations are fetched at once (registry latency, not CPU, is the cost);
    // the checks are still reported in pipeline order.
    List<Future<AttestationCollector.Collected>> lookups = new ArrayList<>();
    for (PinnedImage image : unique.values()) {
      lookups.add(
          IMAGES.submit(
              Deadline.propagate(
                  () ->
                      attestations.collect(
                          image.pinned().repository(),
                          image.pinned().digest().orElseThrow(),
                          now))));
    }
    int i = 0;
    for (PinnedImage image : unique.values()) {
      String subject = "image " + image.pinned();
      AttestationCollector.Collected found;
      try {
        found = Lookups.join(lookups.get(i++));
      } catch (OciException e) {
        checks.add(ociCheck("image.attestations", subject, e));
        continue;
      }
      checks.add(scans.evaluate(subject, image.pinned(), found, now));
      checks.add(provenance.evaluate(subject, image.pinned(), found, now));
    }
  }

  static List<Check> signatureChecks(String name, String subject, SignatureReport report) {
    List<Check> out = new ArrayList<>();
    if (report.trusted()) {
      Map<String, String> ev = new LinkedHashMap<>();
      ev.put("digest", report.digest().toString());
      ev.put("signers", String.join(",", report.trustedSigners()));
      ev.put("threshold", String.valueOf(report.threshold()));
      for (SignatureCheck c : report.checks()) {
        if (c.passed()) {
          c.evidence().forEach((k, v) -> ev.putIfAbsent(k, v));
        }
      }
      out.add(
          Check.passed(
              name,
              subject,
              "signed by "
                  + String.join(", ", report.trustedSigners())
                  + " (threshold "
                  + report.threshold()
                  + ")",
              ev));
      return out;
    }
    for (SignatureCheck c : report.failures()) {
      out.add(
          Check.failed(
              name, subject, c.reason().name(), c.message(), c.remediation(), c.evidence()));
    }
    if (out.isEmpty()) {
      out.add(
          Check.failed(
              name,
              subject,
              "THRESHOLD_NOT_MET",
              "not enough trusted signers",
              "Collect signatures from more of the trusted signers.",
              Map.of("digest", report.digest().toString())));
    }
    return out;
  }

  static Check ociCheck(String name, String subject, OciException e) {
    Map<String, String> ev = new LinkedHashMap<>(e.evidence());
    if (e.reason().isTransient()) {
      return Check.error(
          name, subject, e.reason().name(), e.getMessage(), e.reason().remediation(), ev);
    }
    return Check.failed(
        name, subject, e.reason().name(), e.getMessage(), e.reason().remediation(), ev);
  }

  private static Check notFound(String task, PipelineTasks.TaskUse use, ImageReference bundle) {
    return Check.failed(
        "pipeline.taskRef",
        task,
        BundleReason.RESOURCE_NOT_FOUND.name(),
        use.kind() + " '" + use.taskName() + "' is not in bundle " + bundle,
        BundleReason.RESOURCE_NOT_FOUND.remediation(),
        Map.of("bundle", bundle.toString(), "task", use.taskName()));
  }

  private Instant validUntil(VerificationReport report, Instant now) {
    Instant until = now.plus(policy.cacheTtl());
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
