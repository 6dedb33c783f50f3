package dev.tollgate.verifier.policy;

import dev.tollgate.schemas.event.TriggerEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The latest {@code /ok-to-test} approval seen per pull request and the head SHA it covers, so a
 * fork pull request's later trigger runs only when its head SHA is the approved one. Kept in
 * memory: after a restart a fork pull request needs a fresh approval (fails closed).
 */
@ApplicationScoped
public class Approvals {
  private static final int MAX = 10_000;

  private final Map<String, String> approvedSha =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX;
        }
      };

  /** Remembers the approval a trigger carries, if any. */
  public synchronized void record(TriggerEvent trigger) {
    if (trigger.approval() != null
        && trigger.approval().kind() == TriggerEvent.Approval.Kind.OK_TO_TEST
        && trigger.identity() != null
        && trigger.identity().verified()
        && trigger.identity().permission() != null
        && trigger.identity().permission().canWrite()) {
      approvedSha.put(key(trigger), trigger.headSha());
    }
  }

  /** The head SHA last approved for the trigger's pull request. */
  public synchronized Optional<String> approvedSha(TriggerEvent trigger) {
    if (trigger.pullRequest() == null || trigger.repository() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(approvedSha.get(key(trigger)));
  }

  private static String key(TriggerEvent t) {
    return t.repository() + "#" + t.pullRequest().number();
  }
}
