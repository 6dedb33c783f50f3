package dev.tollgate.verifier.bundle;

import dev.tollgate.verifier.oci.ImageReference;
import java.util.List;
import java.util.Optional;

/**
 * A Tekton bundle read by digest: where it came from (pinned) and its resources, in layer order.
 */
public record TektonBundle(ImageReference pinned, List<BundleResource> resources) {
  public TektonBundle {
    if (pinned.digest().isEmpty()) {
      throw new IllegalArgumentException("a bundle is read by digest");
    }
    resources = List.copyOf(resources);
  }

  /** The resource of this kind and name. */
  public Optional<BundleResource> find(String kind, String name) {
    return resources.stream().filter(r -> r.isKind(kind) && r.name().equals(name)).findFirst();
  }

  /** Resources of a kind. */
  public List<BundleResource> ofKind(String kind) {
    return resources.stream().filter(r -> r.isKind(kind)).toList();
  }
}
