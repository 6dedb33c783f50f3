package dev.tollgate.ledger.watch;

/**
 * Whether an admitting decision in the ledger accounts for a run.
 *
 * @param admitted whether one does
 * @param triggerId the trigger it ran for, when admitted
 * @param decisionId the decision that admitted it, when admitted
 * @param reason why not, when not admitted
 */
public record Admission(boolean admitted, String triggerId, String decisionId, String reason) {

  /** Admitted by this decision for this trigger. */
  public static Admission admitted(String triggerId, String decisionId) {
    return new Admission(true, triggerId, decisionId, null);
  }

  /** Not admitted, and why. */
  public static Admission unadmitted(String reason) {
    return new Admission(false, null, null, reason);
  }
}
