package dev.tollgate.verifier.bundle;

import dev.tollgate.verifier.oci.ImageReference;

/**
 * A step or sidecar image as the task wrote it, by digest. Tags are never resolved: the kubelet
 * would resolve them again when the pod starts.
 *
 * @param container e.g. {@code task/build step/compile}
 * @param written the image reference as the task wrote it
 */
public record PinnedImage(String container, String written, ImageReference pinned) {
  public PinnedImage {
    if (pinned.digest().isEmpty()) {
      throw new IllegalArgumentException("a pinned image has a digest");
    }
  }
}
