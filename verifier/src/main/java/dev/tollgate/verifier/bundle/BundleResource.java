package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.oci.Digest;

/**
 * One Tekton resource of a bundle: its layer annotations (name, kind as written, apiVersion), the
 * digest of the layer it came from and the parsed document.
 */
public record BundleResource(
    String name, String kind, String apiVersion, Digest layer, JsonNode document) {

  /** Whether this is a resource of {@code kind}, compared case-insensitively as Tekton does. */
  public boolean isKind(String kind) {
    return this.kind.equalsIgnoreCase(kind);
  }

  /** The resource's {@code spec}. */
  public JsonNode spec() {
    return document.path("spec");
  }
}
