package dev.tollgate.deploy.demo.oci;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor: what a manifest says about a blob or another manifest.
 *
 * @param digest {@code sha256:<hex>}
 */
public record Descriptor(
    String mediaType, String digest, long size, Map<String, String> annotations) {
  public Descriptor {
    if (mediaType == null || mediaType.isEmpty()) {
      throw new IllegalArgumentException("a descriptor has a media type");
    }
    Sha256.requireDigest(digest, "descriptor digest");
    if (size < 0) {
      throw new IllegalArgumentException("a descriptor's size is not negative");
    }
    annotations = Map.copyOf(annotations);
  }

  /** The descriptor as a manifest holds it (annotations sorted, so manifests are reproducible). */
  public ObjectNode toJson() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("mediaType", mediaType);
    n.put("digest", digest);
    n.put("size", size);
    if (!annotations.isEmpty()) {
      ObjectNode a = n.putObject("annotations");
      new TreeMap<>(annotations).forEach(a::put);
    }
    return n;
  }

  /** The hex part of the digest. */
  public String hex() {
    return digest.substring(Sha256.PREFIX.length());
  }
}
