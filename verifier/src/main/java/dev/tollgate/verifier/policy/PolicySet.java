package dev.tollgate.verifier.policy;

import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.decision.Decision;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The trigger policies in force. No policy source is configured yet, so the set is empty and every
 * trigger is decided {@code ignored} with {@code NO_MATCHING_POLICY}: nothing runs that no policy
 * asked for.
 */
@ApplicationScoped
public class PolicySet {

  /** Reason code when no policy matches a trigger. */
  public static final String NO_MATCHING_POLICY = "NO_MATCHING_POLICY";

  /** Decides one trigger against the policies in force. */
  public Decision decide(TriggerEvent trigger) {
    return new Decision.Ignored(
        new Reason(
            NO_MATCHING_POLICY,
            "No TriggerPolicy matches "
                + trigger.event()
                + (trigger.repository() == null ? "" : " on " + trigger.repository()),
            "Add a TriggerPolicy that matches this repository and event if it should run"
                + " pipelines; until then Tollgate runs nothing for it."));
  }
}
