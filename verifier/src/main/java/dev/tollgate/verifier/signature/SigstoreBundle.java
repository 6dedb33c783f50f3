package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.verifier.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a sigstore bundle (v0.3 JSON) that public-key verification needs: either a message
 * signature (signature over the artifact bytes plus their digest) or a DSSE envelope, and what the
 * verification material is. Keyless bundles are handed whole to sigstore-java.
 */
record SigstoreBundle(
    String mediaType,
    Material material,
    Optional<String> publicKeyHint,
    Optional<MessageSignature> messageSignature,
    Optional<Dsse> dsse,
    int tlogEntries) {

  static final String V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

  /** What signed. */
  enum Material {
    PUBLIC_KEY,
    CERTIFICATE
  }

  /** A signature over the artifact bytes, and the digest the signer computed of them. */
  record MessageSignature(String algorithm, byte[] digest, byte[] signature) {}

  /** A DSSE envelope: signatures over PAE(payloadType, payload). */
  record Dsse(String payloadType, byte[] payload, List<byte[]> signatures) {
    /** DSSE v1 pre-authentication encoding. */
    byte[] pae() {
      byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
      String head = "DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ";
      byte[] h = head.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[h.length + payload.length];
      System.arraycopy(h, 0, out, 0, h.length);
      System.arraycopy(payload, 0, out, h.length, payload.length);
      return out;
    }
  }

  static final String IN_TOTO = "application/vnd.in-toto+json";

  /** The DSSE payload as an in-toto statement (JSON), when it is one. */
  static Optional<JsonNode> statement(Dsse dsse) {
    if (!IN_TOTO.equals(dsse.payloadType())) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.readTree(dsse.payload()));
    } catch (MalformedJsonException e) {
      return Optional.empty();
    }
  }

  /** Whether an in-toto statement lists {@code digest} among its subjects. */
  static boolean subjectNames(JsonNode statement, Digest digest) {
    for (JsonNode subject : statement.path("subject")) {
      if (digest.hex().equals(subject.path("digest").path("sha256").asText())) {
        return true;
      }
    }
    return false;
  }

  static SigstoreBundle parse(byte[] json) throws MalformedSignatureException {
    JsonNode root;
    try {
      root = Json.readTree(json);
    } catch (MalformedJsonException e) {
      throw new MalformedSignatureException("bundle is not JSON: " + e.getMessage());
    }
    String mediaType = root.path("mediaType").asText("");
    if (!V03.equals(mediaType)) {
      throw new MalformedSignatureException("bundle media type is not v0.3: " + mediaType);
    }
    JsonNode vm = root.path("verificationMaterial");
    Material material;
    Optional<String> hint = Optional.empty();
    if (vm.has("publicKey")) {
      material = Material.PUBLIC_KEY;
      hint = Optional.ofNullable(vm.path("publicKey").path("hint").textValue());
    } else if (vm.has("certificate") || vm.has("x509CertificateChain")) {
      material = Material.CERTIFICATE;
    } else {
      throw new MalformedSignatureException("bundle has no verification material");
    }
    Optional<MessageSignature> message = Optional.empty();
    Optional<Dsse> dsse = Optional.empty();
    if (root.has("messageSignature")) {
      JsonNode ms = root.get("messageSignature");
      message =
          Optional.of(
              new MessageSignature(
                  ms.path("messageDigest").path("algorithm").asText(""),
                  base64(ms.path("messageDigest").path("digest"), "messageDigest.digest"),
                  base64(ms.path("signature"), "messageSignature.signature")));
    } else if (root.has("dsseEnvelope")) {
      JsonNode env = root.get("dsseEnvelope");
      List<byte[]> sigs = new ArrayList<>();
      for (JsonNode s : env.path("signatures")) {
        sigs.add(base64(s.path("sig"), "dsseEnvelope.signatures.sig"));
      }
      if (sigs.isEmpty() || !env.path("payloadType").isTextual()) {
        throw new MalformedSignatureException("DSSE envelope without payloadType or signatures");
      }
      dsse =
          Optional.of(
              new Dsse(
                  env.get("payloadType").asText(),
                  base64(env.path("payload"), "dsseEnvelope.payload"),
                  sigs));
    } else {
      throw new MalformedSignatureException("bundle has neither messageSignature nor dsseEnvelope");
    }
    return new SigstoreBundle(
        mediaType, material, hint, message, dsse, vm.path("tlogEntries").size());
  }

  /**
   * A bare DSSE envelope as cosign writes it into a legacy {@code .att} layer; an envelope without
   * signatures is returned as such (it counts as unsigned, not as malformed).
   */
  static Dsse envelope(byte[] envelopeJson) throws MalformedSignatureException {
    JsonNode env;
    try {
      env = Json.readTree(envelopeJson);
    } catch (MalformedJsonException e) {
      throw new MalformedSignatureException("DSSE envelope is not JSON: " + e.getMessage());
    }
    if (!env.path("payloadType").isTextual() || !env.path("payload").isTextual()) {
      throw new MalformedSignatureException("DSSE envelope without payloadType or payload");
    }
    List<byte[]> sigs = new ArrayList<>();
    for (JsonNode s : env.path("signatures")) {
      sigs.add(dsseBase64(s.path("sig"), "signatures.sig"));
    }
    return new Dsse(
        env.get("payloadType").asText(), dsseBase64(env.get("payload"), "payload"), sigs);
  }

  private static byte[] dsseBase64(JsonNode node, String what) throws MalformedSignatureException {
    if (node == null || !node.isTextual()) {
      throw new MalformedSignatureException("DSSE " + what + " is missing");
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new MalformedSignatureException("DSSE " + what + " is not base64");
    }
  }

  private static byte[] base64(JsonNode node, String what) throws MalformedSignatureException {
    if (!node.isTextual()) {
      throw new MalformedSignatureException(what + " is missing");
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new MalformedSignatureException(what + " is not base64");
    }
  }
}
