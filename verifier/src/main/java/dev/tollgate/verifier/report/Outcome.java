package dev.tollgate.verifier.report;

/** How one check ended. */
public enum Outcome {
  /** The check was made and the requirement holds. */
  PASSED,
  /** The check was made and the requirement does not hold: a definitive denial. */
  FAILED,
  /** The check could not be made for a reason that may go away (registry down): never admits. */
  ERROR
}
