package dev.tollgate.verifier.oci;

import java.util.Map;

/** Content read by digest hashes to something else: the source served the wrong bytes. */
public final class DigestMismatchException extends OciException {
  private static final long serialVersionUID = 1L;

  private final Digest expected;
  private final Digest actual;

  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(
        OciReason.DIGEST_MISMATCH,
        what + " requested as " + expected + " hashes to " + actual,
        Map.of("what", what, "expected", expected.toString(), "actual", actual.toString()));
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
