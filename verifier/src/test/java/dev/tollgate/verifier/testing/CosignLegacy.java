package dev.tollgate.verifier.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Re-packs what sigstore-js signed keyless (a sigstore bundle: Fulcio certificate, signature, Rekor
 * entry with its signed entry timestamp) into the layer annotations cosign writes for a legacy
 * keyless {@code .sig} or {@code .att}. Nothing is signed here: every signature, certificate and
 * timestamp comes from the independent implementation and its mock Fulcio/Rekor; only the container
 * changes, field for field as cosign's {@code bundle.RekorBundle} and {@code dev.sigstore.cosign/*}
 * annotations name them.
 */
public final class CosignLegacy {
  public static final String SIGNATURE = "dev.cosignproject.cosign/signature";
  public static final String CERTIFICATE = "dev.sigstore.cosign/certificate";
  public static final String CHAIN = "dev.sigstore.cosign/chain";
  public static final String BUNDLE = "dev.sigstore.cosign/bundle";

  private CosignLegacy() {}

  /** A keyless message-signature bundle as the annotations of a {@code .sig} layer. */
  public static Map<String, String> sigAnnotations(Path bundle, Path trustedRoot)
      throws IOException {
    JsonNode b = read(bundle);
    Map<String, String> a = common(b, trustedRoot);
    a.put(SIGNATURE, b.path("messageSignature").path("signature").asText());
    return a;
  }

  /** A keyless DSSE bundle: the envelope (the {@code .att} layer) and the layer's annotations. */
  public record Attestation(byte[] envelope, Map<String, String> annotations) {}

  public static Attestation att(Path bundle, Path trustedRoot) throws IOException {
    JsonNode b = read(bundle);
    JsonNode dsse = b.path("dsseEnvelope");
    ObjectNode env = Json.mapper().createObjectNode();
    env.put("payloadType", dsse.path("payloadType").asText());
    env.put("payload", dsse.path("payload").asText());
    env.putArray("signatures")
        .addObject()
        .put("keyid", "")
        .put("sig", dsse.path("signatures").path(0).path("sig").asText());
    Map<String, String> a = common(b, trustedRoot);
    a.put("predicateType", "");
    return new Attestation(OciPusher.bytes(env), a);
  }

  /** A cosign Rekor bundle annotation value with one field replaced (for tampering tests). */
  public static String withPayloadField(String rekorBundle, String field, long value)
      throws IOException {
    ObjectNode n = (ObjectNode) Json.mapper().readTree(rekorBundle);
    ((ObjectNode) n.path("Payload")).put(field, value);
    return Json.mapper().writeValueAsString(n);
  }

  private static Map<String, String> common(JsonNode b, Path trustedRoot) throws IOException {
    Map<String, String> a = new LinkedHashMap<>();
    JsonNode vm = b.path("verificationMaterial");
    a.put(CERTIFICATE, pem(vm.path("certificate").path("rawBytes").asText()));
    StringBuilder chain = new StringBuilder();
    for (JsonNode c :
        read(trustedRoot)
            .path("certificateAuthorities")
            .path(0)
            .path("certChain")
            .path("certificates")) {
      chain.append(pem(c.path("rawBytes").asText()));
    }
    a.put(CHAIN, chain.toString());
    JsonNode t = vm.path("tlogEntries").path(0);
    ObjectNode rekor = Json.mapper().createObjectNode();
    rekor.put(
        "SignedEntryTimestamp", t.path("inclusionPromise").path("signedEntryTimestamp").asText());
    ObjectNode payload = rekor.putObject("Payload");
    payload.put("body", t.path("canonicalizedBody").asText());
    payload.put("integratedTime", t.path("integratedTime").asLong());
    payload.put("logIndex", t.path("logIndex").asLong());
    payload.put(
        "logID",
        HexFormat.of()
            .formatHex(Base64.getDecoder().decode(t.path("logId").path("keyId").asText())));
    a.put(BUNDLE, Json.mapper().writeValueAsString(rekor));
    return a;
  }

  private static String pem(String base64Der) {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(Base64.getDecoder().decode(base64Der))
        + "\n-----END CERTIFICATE-----\n";
  }

  private static JsonNode read(Path p) throws IOException {
    return Json.mapper().readTree(Files.readAllBytes(p));
  }
}
