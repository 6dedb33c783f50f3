package dev.tollgate.verifier.engine;

import dev.tollgate.verifier.attestation.AttestationCollector;
import dev.tollgate.verifier.attestation.ProvenanceEvaluator;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanEvaluator;
import dev.tollgate.verifier.bundle.BundleException;
import dev.tollgate.verifier.bundle.TektonBundle;
import dev.tollgate.verifier.bundle.TektonBundleReader;
import dev.tollgate.verifier.oci.ArtifactDiscovery;
import dev.tollgate.verifier.oci.Attachments;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.Manifest;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.signature.ImageSignatureVerifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Tekton bundle (the pipeline's, or a task bundle it references), pinned by digest: its
 * signature, the scan and provenance attested about the bundle itself, and its contents read per
 * Tekton's bundle contract. The contents are read even when the signature fails, so the report
 * lists every problem; only a verified report admits.
 */
final class SignedBundleReader {
  private final ArtifactDiscovery discovery;
  private final ImageSignatureVerifier signatures;
  private final AttestationCollector attestations;
  private final TektonBundleReader reader;
  private final VerificationPolicy policy;

  SignedBundleReader(
      ArtifactDiscovery discovery,
      ImageSignatureVerifier signatures,
      AttestationCollector attestations,
      TektonBundleReader reader,
      VerificationPolicy policy) {
    this.discovery = discovery;
    this.signatures = signatures;
    this.attestations = attestations;
    this.reader = reader;
    this.policy = policy;
  }

  /** The checks made on one bundle, and its contents when they could be read. */
  record BundleRead(List<Check> checks, Optional<TektonBundle> bundle) {
    BundleRead {
      checks = List.copyOf(checks);
    }
  }

  /**
   * @param what the name the checks start with: {@code bundle} or {@code task.bundle}
   */
  BundleRead read(String what, ImageReference pinned, Manifest manifest, Instant now) {
    String subject = what + " " + pinned;
    List<Check> checks = new ArrayList<>();
    Optional<Attachments> attachments = Optional.empty();
    try {
      // Discovered once for the signature and the bundle's own attestations.
      attachments = Optional.of(discovery.discover(pinned.repository(), manifest.digest()));
      checks.addAll(
          ReportChecks.signatureChecks(
              what + ".signature",
              subject,
              signatures.verify(pinned, manifest, attachments.get())));
    } catch (OciException e) {
      checks.add(ReportChecks.ociCheck(what + ".signature", subject, e));
    }
    if (attachments.isPresent()) {
      checks.addAll(attestationChecks(what, subject, pinned, attachments.get(), now));
    }
    try {
      return new BundleRead(checks, Optional.of(reader.read(pinned, manifest)));
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
      checks.add(ReportChecks.ociCheck(what + ".contents", subject, e));
    }
    return new BundleRead(checks, Optional.empty());
  }

  /**
   * The scan and provenance of a bundle itself, judged like a task image's; a missing one fails
   * only when the policy requires it.
   */
  private List<Check> attestationChecks(
      String what, String subject, ImageReference pinned, Attachments attachments, Instant now) {
    AttestationCollector.Collected found;
    try {
      found =
          attestations.collect(
              pinned.repository(), pinned.digest().orElseThrow(), attachments, now);
    } catch (OciException e) {
      return List.of(ReportChecks.ociCheck(what + ".attestations", subject, e));
    }
    BundleAttestationPolicy required = policy.bundleAttestations();
    return List.of(
        new ScanEvaluator(
                policy.vulnerabilities(), what + ".vulnerabilities", required.requireScan())
            .evaluate(subject, pinned, found, now),
        new ProvenanceEvaluator(
                new ProvenancePolicy(
                    required.requireProvenance(), policy.provenance().conditions()),
                what + ".provenance")
            .evaluate(subject, pinned, found, now));
  }
}
