package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One transparency-log (Rekor) entry as cosign stores it beside a legacy keyless signature, in the
 * layer's {@value #ANNOTATION} annotation: the entry's body, its log coordinates and the signed
 * entry timestamp (SET). {@code signed} is what the SET signs: the RFC 8785 form of body,
 * integrated time, log id and log index.
 */
record RekorEntry(
    JsonNode body, Instant integratedTime, long logIndex, String logId, byte[] set, byte[] signed) {
  static final String ANNOTATION = "dev.sigstore.cosign/bundle";

  /** Reads the entry from the layer's {@value #ANNOTATION} annotation. */
  static RekorEntry parse(String json) throws MalformedSignatureException {
    if (json == null || json.isBlank()) {
      throw new MalformedSignatureException(
          ANNOTATION + " annotation is missing: a keyless signature needs its log entry");
    }
    JsonNode root;
    try {
      root = Json.readTree(json.getBytes(StandardCharsets.UTF_8));
    } catch (MalformedJsonException e) {
      throw new MalformedSignatureException(ANNOTATION + " annotation is not JSON");
    }
    JsonNode p = root.path("Payload");
    if (!p.path("body").isTextual()
        || !p.path("integratedTime").canConvertToLong()
        || !p.path("logIndex").canConvertToLong()
        || !p.path("logID").isTextual()
        || !root.path("SignedEntryTimestamp").isTextual()) {
      throw new MalformedSignatureException(
          ANNOTATION + " annotation lacks SignedEntryTimestamp or Payload fields");
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
      return new RekorEntry(
          body,
          Instant.ofEpochSecond(p.get("integratedTime").asLong()),
          p.get("logIndex").asLong(),
          p.get("logID").asText().toLowerCase(java.util.Locale.ROOT),
          Base64.getDecoder().decode(root.get("SignedEntryTimestamp").asText()),
          CanonicalJson.bytes(signedFields));
    } catch (IllegalArgumentException | MalformedJsonException e) {
      throw new MalformedSignatureException(ANNOTATION + " body or SET is not valid base64 JSON");
    }
  }

  /**
   * Why the entry's body does not record this signature (or payload) by this certificate; empty
   * when it does.
   *
   * @param dsse whether the signature is over a DSSE envelope's PAE rather than the payload
   */
  Optional<String> mismatch(boolean dsse, byte[] payload, byte[] signature, X509Certificate leaf) {
    String entryKind = body.path("kind").asText();
    JsonNode spec = body.path("spec");
    String payloadHash = HexFormat.of().formatHex(sha256(payload));
    switch (entryKind) {
      case "hashedrekord":
        if (dsse) {
          return Optional.of("a hashedrekord entry cannot record a DSSE attestation");
        }
        if (!payloadHash.equalsIgnoreCase(spec.path("data").path("hash").path("value").asText())) {
          return another("hash", spec.path("data").path("hash").path("value").asText());
        }
        if (!sameSignature(spec.path("signature").path("content").asText(), signature)) {
          return Optional.of("the log entry records another signature");
        }
        if (!sameCertificate(
            spec.path("signature").path("publicKey").path("content").asText(), leaf)) {
          return Optional.of("the log entry records another certificate");
        }
        return Optional.empty();
      case "dsse":
        if (!payloadHash.equalsIgnoreCase(spec.path("payloadHash").path("value").asText())) {
          return another("payload hash", spec.path("payloadHash").path("value").asText());
        }
        for (JsonNode s : spec.path("signatures")) {
          if (sameSignature(s.path("signature").asText(), signature)
              && sameCertificate(s.path("verifier").asText(), leaf)) {
            return Optional.empty();
          }
        }
        return Optional.of("the log entry does not record this signature and certificate");
      case "intoto":
        JsonNode content = spec.path("content");
        if (!payloadHash.equalsIgnoreCase(content.path("payloadHash").path("value").asText())) {
          return another("payload hash", content.path("payloadHash").path("value").asText());
        }
        for (JsonNode s : content.path("envelope").path("signatures")) {
          if (sameCertificate(s.path("publicKey").asText(), leaf)) {
            return Optional.empty();
          }
        }
        return Optional.of("the log entry does not record this certificate");
      default:
        return Optional.of("log entries of kind '" + entryKind + "' are not accepted");
    }
  }

  private static Optional<String> another(String what, String logged) {
    return Optional.of("the log entry records another " + what + " (" + logged + ")");
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
      List<X509Certificate> certs = FulcioCertificates.fromPem(pem);
      return certs.size() == 1 && certs.get(0).equals(leaf);
    } catch (IllegalArgumentException | MalformedSignatureException e) {
      return false;
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
