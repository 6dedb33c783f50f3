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
import dev.tollgate.verifier.signature.SignatureCheck;
import dev.tollgate.verifier.signature.StatementSignatureVerifier;
import dev.tollgate.verifier.signature.StatementSignatureVerifier.SignedPayload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collects the in-toto statements attached to one digest from every place cosign writes them
 * (legacy {@code sha256-<hex>.att} DSSE layers, sigstore bundle referrers) and keeps those about
 * that digest which enough distinct trusted attestation signers signed (the attestation trust
 * policy's threshold; the same statement may come in several envelopes, one per signer, or in one
 * envelope with a signature of each). The others are returned as rejections, so a denial can say
 * "there is a scan, but signed by X" rather than "no scan".
 */
public final class AttestationCollector {
  static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
  private static final int MAX_ATTESTATION_LAYERS = 64;

  private final OciSource source;
  private final ArtifactDiscovery discovery;
  private final StatementSignatureVerifier signatures;

  /**
   * @param discovery finds the attachments of a digest (its lookups run on its executor)
   */
  public AttestationCollector(
      OciSource source, ArtifactDiscovery discovery, StatementSignatureVerifier signatures) {
    this.source = source;
    this.discovery = discovery;
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
    Sorting sorting = new Sorting(subject);
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
        try {
          sorting.add(signatures.verifyEnvelope(envelope, layer.annotations(), now, ev), ev);
        } catch (MalformedSignatureException e) {
          sorting.malformed(e.getMessage(), ev);
        }
      }
    }
    for (SigstoreBundleArtifact artifact : discovery.sigstoreBundles(attachments)) {
      Map<String, String> ev = new LinkedHashMap<>();
      ev.put("digest", subject.toString());
      ev.put("source", "sigstore bundle");
      ev.put("attestation", artifact.manifest().digest().toString());
      try {
        Optional<SignedPayload> signed = signatures.verifyBundle(artifact.json(), subject, now, ev);
        if (signed.isPresent()) {
          sorting.add(signed.get(), ev);
        }
      } catch (MalformedSignatureException e) {
        sorting.malformed(e.getMessage(), ev);
      }
    }
    return sorting.collected();
  }

  /**
   * The statements of one collection as they are read: rejected at once when malformed, about
   * another digest or signed by nobody trusted; otherwise grouped by their exact payload, whose
   * distinct trusted signers are counted against the threshold at the end.
   */
  private final class Sorting {
    private final Digest subject;
    private final Map<String, Signed> bySigned = new LinkedHashMap<>();
    private final List<Rejected> rejected = new ArrayList<>();

    /** One statement and who signed exactly it (sorted by name), with the evidence of the first. */
    private record Signed(Statement statement, Set<String> signers, Map<String, String> evidence) {}

    Sorting(Digest subject) {
      this.subject = subject;
    }

    void malformed(String message, Map<String, String> ev) {
      rejected.add(new Rejected("", AttestationReason.MALFORMED_ATTESTATION, message, ev));
    }

    void add(SignedPayload signed, Map<String, String> ev) {
      Optional<Statement> statement = Statement.parse(signed.payloadType(), signed.payload());
      if (statement.isEmpty()) {
        malformed("DSSE payload is not an in-toto statement", ev);
        return;
      }
      Statement s = statement.get();
      if (COSIGN_SIGN_PREDICATE.equals(s.predicateType())) {
        return;
      }
      Map<String, String> evidence = new LinkedHashMap<>(ev);
      signed.checks().stream()
          .filter(SignatureCheck::passed)
          .findFirst()
          .orElse(signed.checks().get(0))
          .evidence()
          .forEach(evidence::put);
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
      Optional<SignatureCheck> untrusted = signed.untrusted();
      if (untrusted.isPresent()) {
        evidence.put("signatureReason", untrusted.get().reason().name());
        rejected.add(
            new Rejected(
                s.predicateType(),
                AttestationReason.SIGNER_UNTRUSTED,
                "attestation "
                    + ev.get("attestation")
                    + " ("
                    + s.predicateType()
                    + ") is not signed by a trusted attestation signer: "
                    + untrusted.get().message(),
                evidence));
        return;
      }
      String key = signed.payloadType() + " " + Digest.of(signed.payload());
      Signed group = bySigned.computeIfAbsent(key, k -> new Signed(s, new TreeSet<>(), evidence));
      group.signers().addAll(signed.trustedSigners());
    }

    Collected collected() {
      List<VerifiedStatement> trusted = new ArrayList<>();
      List<Rejected> all = new ArrayList<>(rejected);
      for (Signed group : bySigned.values()) {
        Set<String> signers = Set.copyOf(group.signers());
        String names = String.join(",", group.signers());
        if (signatures.thresholdMet(signers)) {
          trusted.add(new VerifiedStatement(group.statement(), names, group.evidence()));
          continue;
        }
        Map<String, String> evidence = new LinkedHashMap<>(group.evidence());
        evidence.put("signers", names);
        all.add(
            new Rejected(
                group.statement().predicateType(),
                AttestationReason.THRESHOLD_NOT_MET,
                signatures.shortfall(
                    signers,
                    "the " + group.statement().predicateType() + " attestation of " + subject),
                evidence));
      }
      return new Collected(subject, trusted, all);
    }
  }
}
