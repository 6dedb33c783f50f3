package dev.tollgate.verifier.signature;

import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keyless signatures in cosign's legacy form: a {@code .sig} or {@code .att} layer whose
 * annotations carry the Fulcio certificate ({@code dev.sigstore.cosign/certificate}), its chain
 * ({@code dev.sigstore.cosign/chain}) and the Rekor entry with its signed entry timestamp ({@code
 * dev.sigstore.cosign/bundle}). Verified fully offline against the trusted root:
 *
 * <ol>
 *   <li>the certificate chains to a trusted Fulcio CA and carries a valid SCT (sigstore-java's
 *       {@link FulcioVerifier}, the same code its bundle verifier uses);
 *   <li>the signature verifies with the certificate's key (JDK crypto);
 *   <li>the signed entry timestamp verifies with the key of the transparency log the entry names,
 *       over the RFC 8785 form of the entry (JDK crypto), and that log key was valid then;
 *   <li>the log entry's body is about this signature: same signature or payload hash, same
 *       certificate;
 *   <li>the integrated time lies inside the certificate's validity.
 * </ol>
 *
 * <p>sigstore-java verifies only sigstore bundles; these pieces are not a bundle (no inclusion
 * proof), so the SET and body checks are written here. Whether the certificate's identity is
 * trusted is the {@link TrustPolicy}'s judgement.
 */
final class LegacyKeylessVerifier {
  static final String CERTIFICATE = "dev.sigstore.cosign/certificate";
  static final String CHAIN = "dev.sigstore.cosign/chain";

  private final TrustPolicy policy;
  private final Optional<Root> root;

  /** What the trusted root provides: the Fulcio CAs, and the transparency logs by key id. */
  private record Root(FulcioVerifier fulcio, Map<String, TransparencyLog> logs) {}

  private LegacyKeylessVerifier(TrustPolicy policy, Optional<Root> root) {
    this.policy = policy;
    this.root = root;
  }

  /**
   * A verifier for {@code policy}; {@code trustedRoot} is present exactly when the policy names
   * keyless identities (without one, every keyless signature fails as untrusted).
   */
  static LegacyKeylessVerifier create(TrustPolicy policy, Optional<SigstoreTrustedRoot> trustedRoot)
      throws TrustException {
    if (policy.trustsIdentities() != trustedRoot.isPresent()) {
      throw new IllegalArgumentException("a trusted root exactly when identities are trusted");
    }
    if (trustedRoot.isEmpty()) {
      return new LegacyKeylessVerifier(policy, Optional.empty());
    }
    SigstoreTrustedRoot r = trustedRoot.get();
    Map<String, TransparencyLog> logs = new LinkedHashMap<>();
    for (TransparencyLog log : r.getTLogs()) {
      logs.put(HexFormat.of().formatHex(log.getLogId().getKeyId()), log);
    }
    try {
      return new LegacyKeylessVerifier(
          policy, Optional.of(new Root(FulcioVerifier.newFulcioVerifier(r), Map.copyOf(logs))));
    } catch (GeneralSecurityException e) {
      throw new TrustException(
          TrustException.Reason.TRUSTED_ROOT_INVALID,
          policy.trustedRoot().map(Object::toString).orElse(""),
          "the trusted root's Fulcio CAs are unusable: " + e.getMessage(),
          e);
    }
  }

  /** What was signed: a {@code .sig} simple-signing payload, or a {@code .att} DSSE envelope. */
  sealed interface Signed permits Signed.SimpleSigning, Signed.Envelope {
    /** A message signature over the payload bytes (cosign {@code .sig}). */
    record SimpleSigning(SimpleSigningVerifier.SimpleSigningSignature signature)
        implements Signed {}

    /** A DSSE envelope; the signature is over the PAE of the payload (cosign {@code .att}). */
    record Envelope(SigstoreBundle.Dsse dsse) implements Signed {}
  }

  /** Whether the layer carries a Fulcio certificate, which makes its signature keyless. */
  static boolean isKeyless(Map<String, String> annotations) {
    return annotations.containsKey(CERTIFICATE);
  }

  /**
   * Verifies a legacy keyless signature against the trusted root, then (for a {@code .sig}) that
   * the payload names the digest, then asks the trust policy whether the certificate's identity is
   * trusted; the log index and integrated time go into the evidence.
   *
   * @param annotations the layer's annotations: certificate, chain and Rekor entry
   */
  SignatureCheck verify(
      Map<String, String> annotations, Signed signed, Instant now, Map<String, String> evidence)
      throws MalformedSignatureException {
    String what =
        signed instanceof Signed.SimpleSigning s
            ? "keyless signature in layer " + s.signature().layer()
            : "keyless attestation";
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    if (root.isEmpty()) {
      ev.put("keysTried", policy.keyNames());
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          what
              + ", but the "
              + (signed instanceof Signed.Envelope ? "attestation " : "")
              + "trust policy names no keyless identity (and no key verifies it)",
          ev);
    }
    X509Certificate cert;
    try {
      cert = verifyCertified(annotations, signed, ev);
    } catch (InvalidException e) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          what + " does not verify against the trusted root: " + e.getMessage(),
          ev);
    }
    if (signed instanceof Signed.SimpleSigning s) {
      Optional<SignatureCheck> wrongPayload =
          SimpleSigningPayload.mismatch(s.signature().payload(), s.signature().subject(), null, ev);
      return wrongPayload.isPresent()
          ? wrongPayload.get()
          : policy.judgeCertificate(cert, now, ev, "certificate", "keyless legacy .sig");
    }
    return policy.judgeCertificate(
        cert, now, ev, "attestation certificate", "keyless legacy .att attestation");
  }

  /** The signature does not verify; carries the reason for the report. */
  private static final class InvalidException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidException(String message) {
      super(message);
    }
  }

  /** What the signature is over, and the payload the log entry's hash is of. */
  private record Content(boolean dsse, byte[] signed, byte[] payload, byte[] signature) {}

  private static Content content(Signed signed) throws MalformedSignatureException {
    if (signed instanceof Signed.SimpleSigning s) {
      return new Content(
          false, s.signature().payload(), s.signature().payload(), s.signature().signature());
    }
    SigstoreBundle.Dsse dsse = ((Signed.Envelope) signed).dsse();
    if (dsse.signatures().size() != 1) {
      throw new MalformedSignatureException(
          "a keyless .att envelope carries exactly one signature, not " + dsse.signatures().size());
    }
    return new Content(true, dsse.pae(), dsse.payload(), dsse.signatures().get(0));
  }

  /**
   * The certificate of a legacy keyless signature once chain, SCT, signature, Rekor SET, log key
   * validity, integrated time and log body all verified; records log index and integrated time.
   */
  private X509Certificate verifyCertified(
      Map<String, String> annotations, Signed signed, Map<String, String> evidence)
      throws MalformedSignatureException, InvalidException {
    Content content = content(signed);
    Root r = root.orElseThrow();
    List<X509Certificate> chain =
        new ArrayList<>(FulcioCertificates.fromPem(annotations.get(CERTIFICATE)));
    if (chain.size() != 1) {
      throw new MalformedSignatureException(
          CERTIFICATE + " annotation must hold exactly one PEM certificate");
    }
    X509Certificate leaf = chain.get(0);
    String chainPem = annotations.get(CHAIN);
    if (chainPem != null && !chainPem.isBlank()) {
      chain.addAll(FulcioCertificates.fromPem(chainPem));
    }
    try {
      CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
      r.fulcio().verifySigningCertificate(path);
    } catch (FulcioVerificationException e) {
      throw new InvalidException(
          "the certificate does not chain to a trusted Fulcio CA with a valid SCT: "
              + e.getMessage());
    } catch (CertificateException | java.io.IOException e) {
      throw new MalformedSignatureException("the certificate chain cannot be read");
    }
    if (!SignatureAlgorithms.verify(leaf.getPublicKey(), content.signed(), content.signature())) {
      throw new InvalidException("the signature does not verify with the certificate's key");
    }
    RekorEntry entry = RekorEntry.parse(annotations.get(RekorEntry.ANNOTATION));
    evidence.put("rekorLogIndex", String.valueOf(entry.logIndex()));
    evidence.put("rekorIntegratedTime", entry.integratedTime().toString());
    TransparencyLog log = r.logs().get(entry.logId());
    if (log == null) {
      throw new InvalidException(
          "the log entry names log " + entry.logId() + ", which the trusted root does not list");
    }
    PublicKey logKey;
    try {
      logKey = log.getPublicKey().toJavaPublicKey();
    } catch (GeneralSecurityException e) {
      throw new InvalidException(
          "the trusted root's key for log " + entry.logId() + " is unusable");
    }
    if (!SignatureAlgorithms.verify(logKey, entry.signed(), entry.set())) {
      throw new InvalidException(
          "the signed entry timestamp does not verify with the key of log " + entry.logId());
    }
    if (!log.getPublicKey().getValidFor().contains(entry.integratedTime())) {
      throw new InvalidException(
          "the log key was not valid at the integrated time " + entry.integratedTime());
    }
    Instant integrated = entry.integratedTime();
    if (integrated.isBefore(leaf.getNotBefore().toInstant())
        || integrated.isAfter(leaf.getNotAfter().toInstant())) {
      throw new InvalidException(
          "the entry was logged at "
              + integrated
              + ", outside the certificate's validity "
              + leaf.getNotBefore().toInstant()
              + " to "
              + leaf.getNotAfter().toInstant());
    }
    Optional<String> unrecorded =
        entry.mismatch(content.dsse(), content.payload(), content.signature(), leaf);
    if (unrecorded.isPresent()) {
      throw new InvalidException(unrecorded.get());
    }
    return leaf;
  }
}
