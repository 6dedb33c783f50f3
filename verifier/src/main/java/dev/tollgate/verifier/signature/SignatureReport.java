package dev.tollgate.verifier.signature;

import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import java.util.List;
import java.util.Set;

/**
 * The signature verdict for one artifact. {@link #pinned()} is the reference to run: it names the
 * digest that was verified, never the tag, so a tag moved afterwards changes nothing.
 *
 * @param trustedSigners distinct trust-configuration names whose signatures verified
 */
public record SignatureReport(
    ImageReference requested,
    Digest digest,
    boolean trusted,
    int threshold,
    Set<String> trustedSigners,
    List<SignatureCheck> checks) {

  public SignatureReport {
    trustedSigners = Set.copyOf(trustedSigners);
    checks = List.copyOf(checks);
    if (trusted != (trustedSigners.size() >= threshold)) {
      throw new IllegalArgumentException("trusted means the threshold was met");
    }
  }

  /** The requested reference pinned to the verified digest. */
  public ImageReference pinned() {
    return requested.pinned(digest);
  }

  /** The checks that failed, in the order they were made. */
  public List<SignatureCheck> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }
}
