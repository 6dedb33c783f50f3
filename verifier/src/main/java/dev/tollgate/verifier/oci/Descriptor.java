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

  public Descriptor {
    if (mediaType == null || mediaType.isEmpty()) {
      throw new IllegalArgumentException("a descriptor has a mediaType");
    }
    if (digest == null || size < 0) {
      throw new IllegalArgumentException("a descriptor has a digest and a non-negative size");
    }
    annotations = Map.copyOf(annotations);
  }

  /** Reads one descriptor object of a manifest. */
  static Descriptor from(JsonNode node, Digest manifest) throws OciException {
    if (node == null || !node.isObject()) {
      throw malformed(manifest, "descriptor is not an object");
    }
    JsonNode size = node.path("size");
    if (!node.path("mediaType").isTextual() || !size.canConvertToExactIntegral()) {
      throw malformed(manifest, "descriptor lacks mediaType or size");
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    JsonNode a = node.path("annotations");
    if (a.isObject()) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        if (!e.getValue().isTextual()) {
          throw malformed(manifest, "annotation " + e.getKey() + " is not a string");
        }
        annotations.put(e.getKey(), e.getValue().asText());
      }
    }
    Digest digest;
    try {
      digest = Digest.parse(node.path("digest").asText(null));
    } catch (OciException e) {
      throw malformed(manifest, "descriptor digest is not sha256:<hex>");
    }
    return new Descriptor(
        node.get("mediaType").asText(),
        digest,
        size.asLong(),
        node.path("artifactType").isTextual()
            ? Optional.of(node.get("artifactType").asText())
            : Optional.empty(),
        annotations);
  }

  static OciException malformed(Digest manifest, String why) {
    return new OciException(
        OciReason.MALFORMED_MANIFEST,
        "manifest " + manifest + ": " + why,
        Map.of("manifest", manifest.toString()));
  }
}
