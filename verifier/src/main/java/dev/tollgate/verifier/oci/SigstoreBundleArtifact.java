package dev.tollgate.verifier.oci;

/**
 * A sigstore bundle stored as an OCI referrer: the referrer manifest (whose subject was checked)
 * and the bundle JSON from its layer (whose digest was checked).
 */
public record SigstoreBundleArtifact(Manifest manifest, Descriptor layer, byte[] json) {
  public SigstoreBundleArtifact {
    json = json.clone();
  }

  @Override
  public byte[] json() {
    return json.clone();
  }
}
