package dev.tollgate.verifier.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.reason.DecisionReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks the one policy a trigger matches: none is {@code NO_MATCHING_POLICY} and several are {@code
 * POLICY_AMBIGUOUS}, so a trigger never runs under a policy chosen by order.
 */
final class PolicySelector {

  private PolicySelector() {}

  /** The one policy of {@code candidates} matching the trigger, or why there is none. */
  static PolicySet.Selection select(List<TriggerPolicy> candidates, TriggerEvent trigger) {
    JsonNode json = Json.mapper().valueToTree(trigger);
    Map<String, Object> asMap = PolicyMatcher.toMap(json);
    Map<String, Object> body = PolicyMatcher.toMap(json.path("payload"));
    List<TriggerPolicy> matching = new ArrayList<>();
    for (TriggerPolicy p : candidates) {
      if (PolicyMatcher.matches(p.match(), trigger, asMap, body)) {
        matching.add(p);
      }
    }
    if (matching.size() == 1) {
      return new PolicySet.Selection(Optional.of(matching.get(0)), Optional.empty(), json);
    }
    if (matching.isEmpty()) {
      return new PolicySet.Selection(
          Optional.empty(),
          Optional.of(
              DecisionReason.NO_MATCHING_POLICY.reason(
                  "No TriggerPolicy matches "
                      + trigger.event()
                      + (trigger.repository() == null ? "" : " on " + trigger.repository()))),
          json);
    }
    return new PolicySet.Selection(
        Optional.empty(),
        Optional.of(
            DecisionReason.POLICY_AMBIGUOUS.reason(
                "TriggerPolicies "
                    + matching.stream().map(TriggerPolicy::name).toList()
                    + " all match "
                    + trigger.event()
                    + (trigger.repository() == null ? "" : " on " + trigger.repository()))),
        json);
  }
}
