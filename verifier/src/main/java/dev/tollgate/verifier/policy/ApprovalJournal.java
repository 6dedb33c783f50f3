package dev.tollgate.verifier.policy;

import java.util.HashMap;
import java.util.Map;

/**
 * Where {@code /ok-to-test} approvals outlive the verifier process: an approval counts only once
 * written here, and a lookup first reads everything any replica wrote before it. The service keeps
 * them on a compacted Kafka topic; tests and tools can keep them in memory.
 */
public interface ApprovalJournal {

  /**
   * Writes that {@code pullRequest} ({@code owner/repo#number}) is approved at {@code headSha},
   * durably, before returning.
   *
   * @throws ApprovalsUnavailableException when the write was not acknowledged
   */
  void write(String pullRequest, String headSha);

  /**
   * Every approval written since the last call (by any replica, including this one), in order, as
   * pull request to approved head SHA; a later approval of the same pull request wins.
   *
   * @throws ApprovalsUnavailableException when the journal could not be read to its end
   */
  Map<String, String> readNew();

  /** A journal in this process only: for tests and tools, not for the service. */
  static ApprovalJournal inMemory() {
    return new ApprovalJournal() {
      private final Map<String, String> pending = new HashMap<>();

      @Override
      public synchronized void write(String pullRequest, String headSha) {
        pending.put(pullRequest, headSha);
      }

      @Override
      public synchronized Map<String, String> readNew() {
        Map<String, String> out = new HashMap<>(pending);
        pending.clear();
        return out;
      }
    };
  }
}
