package dev.tollgate.verifier.bundle;

import dev.tollgate.verifier.oci.ImageReference;

/**
 * A step or sidecar image, pinned by digest: either as written, or resolved from its tag once.
 *
 * @param container e.g. {@code task/build step/compile}
 * @param written the image reference as the task wrote it
 * @param resolved whether the digest came from resolving a tag
 */
public record PinnedImage(
    String container, String written, ImageReference pinned, boolean resolved) {
  public PinnedImage {
    if (pinned.digest().isEmpty()) {
      throw new IllegalArgumentException("a pinned image has a digest");
    }
  }
}
