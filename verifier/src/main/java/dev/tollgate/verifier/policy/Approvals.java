package dev.tollgate.verifier.policy;

import dev.tollgate.schemas.event.TriggerEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latest {@code /ok-to-test} approval per pull request and the head SHA it covers, so a fork
 * pull request's later trigger runs only when its head SHA is the approved one. Approvals are
 * written to the {@link ApprovalJournal} before they count, and every lookup first reads what any
 * replica wrote, so they survive a restart and both replicas see them; when the journal cannot be
 * read the lookup fails and nothing runs.
 */
@ApplicationScoped
public class Approvals {
  private final ApprovalJournal journal;
  private final Map<String, String> approvedSha = new HashMap<>();

  /** Approvals in this process only, for tests and tools. */
  public Approvals() {
    this(ApprovalJournal.inMemory());
  }

  @Inject
  public Approvals(ApprovalJournal journal) {
    this.journal = journal;
  }

  /**
   * Writes the approval a trigger carries, if any: an {@code /ok-to-test} by a verified sender with
   * write permission or more.
   *
   * @throws ApprovalsUnavailableException when the journal did not acknowledge it
   */
  public synchronized void record(TriggerEvent trigger) {
    if (binds(trigger)
        && trigger.approval().kind() == TriggerEvent.Approval.Kind.OK_TO_TEST
        && trigger.pullRequest() != null
        && trigger.repository() != null
        && trigger.headSha() != null
        && trigger.identity() != null
        && trigger.identity().verified()
        && trigger.identity().permission() != null
        && trigger.identity().permission().canWrite()) {
      journal.write(key(trigger), trigger.headSha());
      approvedSha.put(key(trigger), trigger.headSha());
    }
  }

  /**
   * Whether the trigger carries an approval the gateway bound to its head SHA: not refused, and if
   * the comment named a commit, the head is that commit. The head SHA is in the signed trigger, so
   * what the approval covers is what the gateway saw when it read the comment, never a later head.
   */
  public static boolean binds(TriggerEvent trigger) {
    TriggerEvent.Approval approval = trigger.approval();
    return approval != null
        && approval.bound()
        && trigger.headSha() != null
        && (approval.requestedSha() == null
            || trigger.headSha().startsWith(approval.requestedSha()));
  }

  /**
   * The head SHA last approved for the trigger's pull request, by this replica or another, before
   * or after a restart.
   *
   * @throws ApprovalsUnavailableException when the journal could not be read to its end
   */
  public synchronized Optional<String> approvedSha(TriggerEvent trigger) {
    if (trigger.pullRequest() == null || trigger.repository() == null) {
      return Optional.empty();
    }
    approvedSha.putAll(journal.readNew());
    return Optional.ofNullable(approvedSha.get(key(trigger)));
  }

  private static String key(TriggerEvent t) {
    return t.repository() + "#" + t.pullRequest().number();
  }
}
