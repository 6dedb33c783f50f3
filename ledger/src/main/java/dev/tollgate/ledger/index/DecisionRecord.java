package dev.tollgate.ledger.index;

import java.util.List;

/**
 * A decision as the ledger recorded it: enough for the run watch to tell whether a PipelineRun was
 * admitted, and by which decision.
 *
 * @param seq the record's seq
 * @param decisionId the decision id
 * @param triggerId the trigger it decided
 * @param admitted whether its outcome was {@code admitted}
 * @param runNamespace the namespace of the PipelineRun it created, or null
 * @param runName the name of the PipelineRun it created, or null
 * @param pinnedDigests for an admitting decision, the {@code sha256:<hex>} digests it pinned: its
 *     pipeline bundle first, then task bundles its verification report names; else empty
 */
public record DecisionRecord(
    long seq,
    String decisionId,
    String triggerId,
    boolean admitted,
    String runNamespace,
    String runName,
    List<String> pinnedDigests) {

  public DecisionRecord {
    pinnedDigests = List.copyOf(pinnedDigests);
  }

  /** Whether this decision admitted exactly this PipelineRun for this trigger. */
  public boolean admits(String triggerId, String namespace, String name) {
    return admitted
        && this.triggerId.equals(triggerId)
        && namespace.equals(runNamespace)
        && name.equals(runName);
  }
}
