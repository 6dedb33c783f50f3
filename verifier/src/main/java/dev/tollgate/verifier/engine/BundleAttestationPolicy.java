package dev.tollgate.verifier.engine;

/**
 * What the bundles themselves (the pipeline bundle and every task bundle it references) must carry
 * besides their signature: a vulnerability scan and SLSA provenance about the bundle's digest,
 * judged by the same scan and provenance rules as task images.
 *
 * <p>Not required unless configured: a Tekton bundle holds only YAML, and few build systems attest
 * bundles yet, so requiring it by default would block every pipeline. A trusted scan or provenance
 * that is attached is judged even when not required (a Critical finding still denies).
 */
public record BundleAttestationPolicy(boolean requireScan, boolean requireProvenance) {

  /** Neither required; attached trusted attestations are still judged. */
  public static BundleAttestationPolicy notRequired() {
    return new BundleAttestationPolicy(false, false);
  }
}
