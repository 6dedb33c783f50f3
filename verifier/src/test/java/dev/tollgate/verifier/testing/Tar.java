package dev.tollgate.verifier.testing;

/**
 * Writes a single-file ustar archive, the layer format Tekton bundles use: the local demo's {@link
 * dev.tollgate.deploy.demo.oci.Tar}, so the tests and the demo push the same layers.
 */
public final class Tar {
  private Tar() {}

  public static byte[] singleFile(String name, byte[] content) {
    return dev.tollgate.deploy.demo.oci.Tar.singleFile(name, content);
  }
}
