package dev.tollgate.verifier.report;

/** The result of a whole verification. */
public enum Verdict {
  /** Every check passed: the pinned bundle may run. */
  VERIFIED,
  /** At least one check failed definitively. Cacheable. */
  DENIED,
  /** No check failed definitively, but one could not be made; retry later. Never cached. */
  TRANSIENT_ERROR
}
