package dev.tollgate.ledger.watch;

import java.util.List;

/**
 * Whether an admitting decision in the ledger accounts for a run.
 *
 * @param admitted whether one does
 * @param triggerId the trigger it ran for, when admitted
 * @param decisionId the decision that admitted it, when admitted
 * @param reason why not, when not admitted
 * @param pinnedDigests the {@code sha256:<hex>} digests the decision pinned, when admitted: what
 *     Tekton may resolve the run from
 */
public record Admission(
    boolean admitted,
    String triggerId,
    String decisionId,
    String reason,
    List<String> pinnedDigests) {

  public Admission {
    pinnedDigests = pinnedDigests == null ? List.of() : List.copyOf(pinnedDigests);
  }

  /** Admitted by this decision for this trigger, which pinned these digests. */
  public static Admission admitted(String triggerId, String decisionId, List<String> pinned) {
    return new Admission(true, triggerId, decisionId, null, pinned);
  }

  /** Not admitted, and why. */
  public static Admission unadmitted(String reason) {
    return new Admission(false, null, null, reason, List.of());
  }
}
