package dev.tollgate.verifier.verify;

import dev.tollgate.verifier.report.VerificationReport;

/**
 * How verifying a policy's bundle ended: a report (whatever its verdict, after how many attempts),
 * a trust configuration that cannot be used, or an interruption. None of them admits by itself; the
 * decider reads the report.
 */
public sealed interface VerificationOutcome {

  /** The verification ran; {@code attempts} is how many tries it took (the last one reported). */
  record Reported(VerificationReport report, int attempts) implements VerificationOutcome {
    public Reported {
      if (report == null || attempts < 1) {
        throw new IllegalArgumentException("a report after at least one attempt");
      }
    }
  }

  /** The policy's trust configuration cannot be used (a key, a trusted root, the registry). */
  record TrustUnusable(String why) implements VerificationOutcome {
    public TrustUnusable {
      if (why == null || why.isBlank()) {
        throw new IllegalArgumentException("an unusable trust configuration says why");
      }
    }
  }

  /** The verifier was stopped while verifying; the thread's interrupt flag is set again. */
  record Interrupted() implements VerificationOutcome {}
}
