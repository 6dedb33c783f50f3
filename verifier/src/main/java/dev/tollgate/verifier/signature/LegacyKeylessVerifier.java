package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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
  static final String REKOR_BUNDLE = "dev.sigstore.cosign/bundle";

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
    List<X509Certificate> chain = new ArrayList<>(certificates(annotations.get(CERTIFICATE)));
    if (chain.size() != 1) {
      throw new MalformedSignatureException(
          CERTIFICATE + " annotation must hold exactly one PEM certificate");
    }
    X509Certificate leaf = chain.get(0);
    String chainPem = annotations.get(CHAIN);
    if (chainPem != null && !chainPem.isBlank()) {
      chain.addAll(certificates(chainPem));
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
    Entry entry = entry(annotations.get(REKOR_BUNDLE));
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
    matchBody(entry.body(), content, leaf);
    return leaf;
  }

  /** One transparency-log entry as cosign stores it; {@code signed} is what the SET signs. */
  private record Entry(
      JsonNode body,
      Instant integratedTime,
      long logIndex,
      String logId,
      byte[] set,
      byte[] signed) {}

  private static Entry entry(String json) throws MalformedSignatureException {
    if (json == null || json.isBlank()) {
      throw new MalformedSignatureException(
          REKOR_BUNDLE + " annotation is missing: a keyless signature needs its log entry");
    }
    JsonNode root;
    try {
      root = Json.readTree(json.getBytes(StandardCharsets.UTF_8));
    } catch (MalformedJsonException e) {
      throw new MalformedSignatureException(REKOR_BUNDLE + " annotation is not JSON");
    }
    JsonNode p = root.path("Payload");
    if (!p.path("body").isTextual()
        || !p.path("integratedTime").canConvertToLong()
        || !p.path("logIndex").canConvertToLong()
        || !p.path("logID").isTextual()
        || !root.path("SignedEntryTimestamp").isTextual()) {
      throw new MalformedSignatureException(
          REKOR_BUNDLE + " annotation lacks SignedEntryTimestamp or Payload fields");
    }
    // The SET signs the canonical JSON of exactly these four fields.
    ObjectNode signedFields = Json.mapper().createObjectNode();
    signedFields.put("body", p.get("body").asText());
    signedFields.put("integratedTime", p.get("integratedTime").asLong());
    signedFields.put("logID", p.get("logID").asText());
    signedFields.put("logIndex", p.get("logIndex").asLong());
    JsonNode body;
    try {
      body = Json.readTree(Base64.getDecoder().decode(p.get("body").asText()));
      return new Entry(
          body,
          Instant.ofEpochSecond(p.get("integratedTime").asLong()),
          p.get("logIndex").asLong(),
          p.get("logID").asText().toLowerCase(java.util.Locale.ROOT),
          Base64.getDecoder().decode(root.get("SignedEntryTimestamp").asText()),
          CanonicalJson.bytes(signedFields));
    } catch (IllegalArgumentException | MalformedJsonException e) {
      throw new MalformedSignatureException(REKOR_BUNDLE + " body or SET is not valid base64 JSON");
    }
  }

  /** The log entry must record this signature (or payload) by this certificate. */
  private static void matchBody(JsonNode body, Content signed, X509Certificate leaf)
      throws InvalidException {
    byte[] payload = signed.payload();
    byte[] signature = signed.signature();
    String entryKind = body.path("kind").asText();
    JsonNode spec = body.path("spec");
    String payloadHash = HexFormat.of().formatHex(sha256(payload));
    switch (entryKind) {
      case "hashedrekord":
        if (signed.dsse()) {
          throw new InvalidException("a hashedrekord entry cannot record a DSSE attestation");
        }
        requireEqual(spec.path("data").path("hash").path("value").asText(), payloadHash, "hash");
        requireSignature(spec.path("signature").path("content").asText(), signature);
        requireCertificate(spec.path("signature").path("publicKey").path("content").asText(), leaf);
        return;
      case "dsse":
        requireEqual(spec.path("payloadHash").path("value").asText(), payloadHash, "payload hash");
        for (JsonNode s : spec.path("signatures")) {
          if (sameSignature(s.path("signature").asText(), signature)
              && sameCertificate(s.path("verifier").asText(), leaf)) {
            return;
          }
        }
        throw new InvalidException("the log entry does not record this signature and certificate");
      case "intoto":
        JsonNode content = spec.path("content");
        requireEqual(
            content.path("payloadHash").path("value").asText(), payloadHash, "payload hash");
        for (JsonNode s : content.path("envelope").path("signatures")) {
          if (sameCertificate(s.path("publicKey").asText(), leaf)) {
            return;
          }
        }
        throw new InvalidException("the log entry does not record this certificate");
      default:
        throw new InvalidException("log entries of kind '" + entryKind + "' are not accepted");
    }
  }

  private static void requireEqual(String logged, String expected, String what)
      throws InvalidException {
    if (!expected.equalsIgnoreCase(logged)) {
      throw new InvalidException("the log entry records another " + what + " (" + logged + ")");
    }
  }

  private static void requireSignature(String logged, byte[] signature) throws InvalidException {
    if (!sameSignature(logged, signature)) {
      throw new InvalidException("the log entry records another signature");
    }
  }

  private static void requireCertificate(String logged, X509Certificate leaf)
      throws InvalidException {
    if (!sameCertificate(logged, leaf)) {
      throw new InvalidException("the log entry records another certificate");
    }
  }

  private static boolean sameSignature(String logged, byte[] signature) {
    try {
      return MessageDigest.isEqual(Base64.getDecoder().decode(logged), signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The entry holds the certificate as base64 of its PEM. */
  private static boolean sameCertificate(String logged, X509Certificate leaf) {
    try {
      String pem = new String(Base64.getDecoder().decode(logged), StandardCharsets.UTF_8);
      List<X509Certificate> certs = certificates(pem);
      return certs.size() == 1 && certs.get(0).equals(leaf);
    } catch (IllegalArgumentException | MalformedSignatureException e) {
      return false;
    }
  }

  static List<X509Certificate> certificates(String pem) throws MalformedSignatureException {
    if (pem == null || pem.isBlank()) {
      throw new MalformedSignatureException("certificate annotation is empty");
    }
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new MalformedSignatureException("no PEM certificate in the annotation");
      }
      return out;
    } catch (CertificateException e) {
      throw new MalformedSignatureException("the certificate annotation is not PEM X.509");
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
