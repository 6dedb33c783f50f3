package dev.tollgate.verifier.decide;

import dev.tollgate.verifier.policy.TriggerPolicy;
import java.util.List;

/**
 * The trigger policies in force at the moment a trigger is decided, or the fact that they are not
 * known yet (the policy ConfigMap was not read): a trigger is never decided against an incomplete
 * set.
 */
public record PolicySnapshot(boolean loaded, List<TriggerPolicy> policies) {
  public PolicySnapshot {
    policies = List.copyOf(policies);
    if (!loaded && !policies.isEmpty()) {
      throw new IllegalArgumentException("a set not loaded has no policies");
    }
  }

  /** The policies in force. */
  public static PolicySnapshot of(List<TriggerPolicy> policies) {
    return new PolicySnapshot(true, policies);
  }

  /** The policies are not known yet. */
  public static PolicySnapshot notLoaded() {
    return new PolicySnapshot(false, List.of());
  }
}
