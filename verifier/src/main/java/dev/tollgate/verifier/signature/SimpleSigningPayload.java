package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.verifier.oci.Digest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The "simple signing" payload cosign signs for an image ({@code
 * application/vnd.dev.cosign.simplesigning.v1+json}). cosign decodes it with Go's {@code
 * encoding/json}, which matches object keys case-insensitively, so {@code docker-manifest-digest},
 * {@code Docker-manifest-digest} (the capitalisation of the containers/image signature format) and
 * any other casing are the same key; we do the same, and refuse a payload where two keys differ
 * only in case, since which one a Go verifier would pick is not something to depend on.
 */
record SimpleSigningPayload(String type, String dockerManifestDigest, Optional<String> reference) {
  /** The only {@code critical.type} cosign accepts. */
  static final String COSIGN_TYPE = "cosign container image signature";

  static SimpleSigningPayload parse(byte[] payload) throws MalformedSignatureException {
    JsonNode root;
    try {
      root = Json.readTree(payload);
    } catch (MalformedJsonException e) {
      throw new MalformedSignatureException("payload is not JSON: " + e.getMessage());
    }
    JsonNode critical = field(root, "critical");
    JsonNode image = field(critical, "image");
    JsonNode digest = field(image, "docker-manifest-digest");
    JsonNode type = field(critical, "type");
    if (!digest.isTextual() || !type.isTextual()) {
      throw new MalformedSignatureException(
          "payload lacks critical.image.docker-manifest-digest or critical.type");
    }
    JsonNode identity = field(critical, "identity");
    JsonNode reference = field(identity, "docker-reference");
    return new SimpleSigningPayload(
        type.asText(),
        digest.asText(),
        reference.isTextual() ? Optional.of(reference.asText()) : Optional.empty());
  }

  /**
   * A failed check when {@code payload} is not a cosign simple-signing payload about {@code
   * digest}; empty when it is.
   *
   * @param signer the key that verified the signature, or null for a certificate
   */
  static Optional<SignatureCheck> mismatch(
      byte[] payload, Digest digest, String signer, Map<String, String> evidence) {
    SimpleSigningPayload parsed;
    try {
      parsed = parse(payload);
    } catch (MalformedSignatureException e) {
      return Optional.of(
          SignatureCheck.failed(
              SignatureReason.MALFORMED_SIGNATURE, signer, e.getMessage(), evidence));
    }
    if (!COSIGN_TYPE.equals(parsed.type())) {
      return Optional.of(
          SignatureCheck.failed(
              SignatureReason.MALFORMED_SIGNATURE,
              signer,
              "payload type is '" + parsed.type() + "', not '" + COSIGN_TYPE + "'",
              evidence));
    }
    if (!digest.toString().equals(parsed.dockerManifestDigest())) {
      Map<String, String> ev = new LinkedHashMap<>(evidence);
      ev.put("payloadDigest", parsed.dockerManifestDigest());
      return Optional.of(
          SignatureCheck.failed(
              SignatureReason.PAYLOAD_DIGEST_MISMATCH,
              signer,
              (signer == null ? "the signer" : "key " + signer)
                  + " signed "
                  + parsed.dockerManifestDigest()
                  + ", not the verified digest "
                  + digest,
              ev));
    }
    return Optional.empty();
  }

  /** The member named {@code name} in any letter case; missing when absent. */
  private static JsonNode field(JsonNode object, String name) throws MalformedSignatureException {
    JsonNode found = null;
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        if (found != null) {
          throw new MalformedSignatureException(
              "payload has two keys differing only in case: " + name);
        }
        found = e.getValue();
      }
    }
    return found == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : found;
  }
}
