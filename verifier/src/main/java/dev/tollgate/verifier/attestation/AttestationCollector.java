package dev.tollgate.verifier.attestation;

import dev.tollgate.verifier.oci.ArtifactDiscovery;
import dev.tollgate.verifier.oci.Attachments;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.Manifest;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.oci.SigstoreBundleArtifact;
import dev.tollgate.verifier.signature.MalformedSignatureException;
import dev.tollgate.verifier.signature.StatementSignatureVerifier;
import dev.tollgate.verifier.signature.StatementSignatureVerifier.SignedPayload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the in-toto statements attached to one digest from every place cosign writes them
 * (legacy {@code sha256-<hex>.att} DSSE layers, sigstore bundle referrers) and keeps those whose
 * signature verifies with a trusted attestation signer and whose subject is that digest. The others
 * are returned as rejections, so a denial can say "there is a scan, but signed by X" rather than
 * "no scan".
 */
public final class AttestationCollector {
  static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
  private static final int MAX_ATTESTATION_LAYERS = 64;

  private final OciSource source;
  private final ArtifactDiscovery discovery;
  private final StatementSignatureVerifier signatures;

  public AttestationCollector(OciSource source, StatementSignatureVerifier signatures) {
    this.source = source;
    this.discovery = new ArtifactDiscovery(source);
    this.signatures = signatures;
  }

  /** A statement that does not count, and why. */
  public record Rejected(
      String predicateType,
      AttestationReason reason,
      String message,
      Map<String, String> evidence) {
    public Rejected {
      evidence = Map.copyOf(evidence);
    }
  }

  /** What is attached to a digest: the statements that count and those that do not. */
  public record Collected(
      Digest subject, List<VerifiedStatement> trusted, List<Rejected> rejected) {
    public Collected {
      trusted = List.copyOf(trusted);
      rejected = List.copyOf(rejected);
    }

    /** Trusted statements of one of these predicate types. */
    public List<VerifiedStatement> ofType(java.util.Collection<String> predicateTypes) {
      return trusted.stream()
          .filter(s -> predicateTypes.contains(s.statement().predicateType()))
          .toList();
    }

    /** Rejected statements of one of these predicate types. */
    public List<Rejected> rejectedOfType(java.util.Collection<String> predicateTypes) {
      return rejected.stream().filter(r -> predicateTypes.contains(r.predicateType())).toList();
    }
  }

  public Collected collect(Repository repository, Digest subject, Instant now) throws OciException {
    return collect(repository, subject, discovery.discover(repository, subject), now);
  }

  /** The statements in {@code attachments}, already discovered for {@code subject}. */
  public Collected collect(
      Repository repository, Digest subject, Attachments attachments, Instant now)
      throws OciException {
    List<VerifiedStatement> trusted = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    if (attachments.legacyAttestations().isPresent()) {
      Manifest att = attachments.legacyAttestations().get();
      List<Descriptor> layers = att.layers();
      for (int i = 0; i < Math.min(layers.size(), MAX_ATTESTATION_LAYERS); i++) {
        Descriptor layer = layers.get(i);
        if (!MediaTypes.DSSE_ENVELOPE.equals(layer.mediaType())) {
          continue;
        }
        Map<String, String> ev = new LinkedHashMap<>();
        ev.put("digest", subject.toString());
        ev.put("source", "legacy .att");
        ev.put("attestationManifest", att.digest().toString());
        ev.put("attestation", layer.digest().toString());
        byte[] envelope = source.blob(repository, layer);
        SignedPayload signed;
        try {
          signed = signatures.verifyEnvelope(envelope, layer.annotations(), now, ev);
        } catch (MalformedSignatureException e) {
          rejected.add(
              new Rejected("", AttestationReason.MALFORMED_ATTESTATION, e.getMessage(), ev));
          continue;
        }
        classify(subject, signed, ev, trusted, rejected);
      }
    }
    for (SigstoreBundleArtifact artifact : discovery.sigstoreBundles(attachments)) {
      Map<String, String> ev = new LinkedHashMap<>();
      ev.put("digest", subject.toString());
      ev.put("source", "sigstore bundle");
      ev.put("attestation", artifact.manifest().digest().toString());
      Optional<SignedPayload> signed;
      try {
        signed = signatures.verifyBundle(artifact.json(), subject, now, ev);
      } catch (MalformedSignatureException e) {
        rejected.add(new Rejected("", AttestationReason.MALFORMED_ATTESTATION, e.getMessage(), ev));
        continue;
      }
      if (signed.isPresent()) {
        classify(subject, signed.get(), ev, trusted, rejected);
      }
    }
    return new Collected(subject, trusted, rejected);
  }

  private static void classify(
      Digest subject,
      SignedPayload signed,
      Map<String, String> ev,
      List<VerifiedStatement> trusted,
      List<Rejected> rejected) {
    Optional<Statement> statement = Statement.parse(signed.payloadType(), signed.payload());
    if (statement.isEmpty()) {
      rejected.add(
          new Rejected(
              "",
              AttestationReason.MALFORMED_ATTESTATION,
              "DSSE payload is not an in-toto statement",
              ev));
      return;
    }
    Statement s = statement.get();
    if (COSIGN_SIGN_PREDICATE.equals(s.predicateType())) {
      return;
    }
    Map<String, String> evidence = new LinkedHashMap<>(ev);
    evidence.putAll(signed.check().evidence());
    evidence.put("predicateType", s.predicateType());
    if (!s.isAbout(subject)) {
      evidence.put("statementSubjects", String.join(",", s.subjectSha256()));
      rejected.add(
          new Rejected(
              s.predicateType(),
              AttestationReason.SUBJECT_MISMATCH,
              "attestation "
                  + ev.get("attestation")
                  + " ("
                  + s.predicateType()
                  + ") is about "
                  + (s.subjectSha256().isEmpty()
                      ? "no sha256 digest"
                      : "sha256:" + String.join(", sha256:", s.subjectSha256()))
                  + ", not "
                  + subject,
              evidence));
      return;
    }
    if (!signed.check().passed()) {
      evidence.put("signatureReason", signed.check().reason().name());
      rejected.add(
          new Rejected(
              s.predicateType(),
              AttestationReason.SIGNER_UNTRUSTED,
              "attestation "
                  + ev.get("attestation")
                  + " ("
                  + s.predicateType()
                  + ") is not signed by a trusted attestation signer: "
                  + signed.check().message(),
              evidence));
      return;
    }
    trusted.add(new VerifiedStatement(s, signed.check().signer().orElseThrow(), evidence));
  }
}
