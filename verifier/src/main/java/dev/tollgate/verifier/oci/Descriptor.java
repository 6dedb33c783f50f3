package dev.tollgate.verifier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** An OCI content descriptor: what a manifest says about a blob or another manifest. */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    Optional<String> artifactType,
    Map<String, String> annotations) {

  private static final int MAX_MEDIA_TYPE = 255;

  public Descriptor {
    if (mediaType == null || mediaType.isEmpty()) {
      throw new IllegalArgumentException("a descriptor has a mediaType");
    }
    if (digest == null || size < 0) {
      throw new IllegalArgumentException("a descriptor has a digest and a non-negative size");
    }
    annotations = Map.copyOf(annotations);
  }

  /**
   * Reads one descriptor object of a manifest. Everything about it is hostile input: wrong JSON
   * types, a missing or empty media type, a size that is negative, fractional or beyond a long, or
   * a digest that is not {@code sha256:<64 hex>} is {@link OciReason#MALFORMED_MANIFEST}.
   */
  static Descriptor from(JsonNode node, Digest manifest) throws OciException {
    if (node == null || !node.isObject()) {
      throw malformed(manifest, "descriptor is not an object");
    }
    JsonNode mediaType = node.get("mediaType");
    if (mediaType == null || !mediaType.isTextual() || mediaType.asText().isEmpty()) {
      throw malformed(manifest, "descriptor lacks a mediaType");
    }
    if (mediaType.asText().length() > MAX_MEDIA_TYPE) {
      throw malformed(manifest, "descriptor mediaType is longer than " + MAX_MEDIA_TYPE);
    }
    JsonNode size = node.get("size");
    if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
      throw malformed(manifest, "descriptor size is not a non-negative 64-bit integer");
    }
    JsonNode digestNode = node.get("digest");
    if (digestNode == null || !digestNode.isTextual()) {
      throw malformed(manifest, "descriptor digest is not a string");
    }
    Digest digest;
    try {
      digest = Digest.parse(digestNode.asText());
    } catch (OciException e) {
      throw malformed(manifest, "descriptor digest is not sha256:<64 lowercase hex>");
    }
    JsonNode artifactType = node.get("artifactType");
    if (artifactType != null && !artifactType.isTextual()) {
      throw malformed(manifest, "descriptor artifactType is not a string");
    }
    return new Descriptor(
        mediaType.asText(),
        digest,
        size.asLong(),
        Optional.ofNullable(artifactType).map(JsonNode::asText),
        annotations(node.get("annotations"), manifest));
  }

  /** An {@code annotations} object: string keys to string values, or absent. */
  static Map<String, String> annotations(JsonNode a, Digest manifest) throws OciException {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (a == null) {
      return annotations;
    }
    if (!a.isObject()) {
      throw malformed(manifest, "annotations is not an object");
    }
    for (Map.Entry<String, JsonNode> e : a.properties()) {
      if (!e.getValue().isTextual()) {
        throw malformed(manifest, "annotation " + abbreviate(e.getKey()) + " is not a string");
      }
      annotations.put(e.getKey(), e.getValue().asText());
    }
    return annotations;
  }

  static String abbreviate(String s) {
    return s == null || s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }

  static OciException malformed(Digest manifest, String why) {
    return new OciException(
        OciReason.MALFORMED_MANIFEST,
        "manifest " + manifest + ": " + why,
        Map.of("manifest", manifest.toString()));
  }
}
