package dev.tollgate.verifier.decide;

import dev.tollgate.verifier.namespace.NamespaceRules;
import dev.tollgate.verifier.policy.TriggerPolicy;
import java.util.List;

/**
 * The trigger policies in force at the moment a trigger is decided, or the fact that they are not
 * known yet (the policy ConfigMap was not read): a trigger is never decided against an incomplete
 * set.
 *
 * @param namespaces the namespaces no run may go to, as configured ({@code
 *     tollgate.verifier.tenants.kafka-namespace}, {@code reserved-namespaces}): the same rules the
 *     policies were loaded under, asked again for each trigger
 */
public record PolicySnapshot(
    boolean loaded, List<TriggerPolicy> policies, NamespaceRules namespaces) {
  public PolicySnapshot {
    policies = List.copyOf(policies);
    if (!loaded && !policies.isEmpty()) {
      throw new IllegalArgumentException("a set not loaded has no policies");
    }
    if (namespaces == null) {
      throw new IllegalArgumentException("a snapshot carries the namespace rules");
    }
  }

  /** The policies in force under the built-in namespace rules (default Kafka namespace). */
  public static PolicySnapshot of(List<TriggerPolicy> policies) {
    return of(policies, NamespaceRules.DEFAULTS);
  }

  /** The policies in force under the configured namespace rules. */
  public static PolicySnapshot of(List<TriggerPolicy> policies, NamespaceRules namespaces) {
    return new PolicySnapshot(true, policies, namespaces);
  }

  /** The policies are not known yet. */
  public static PolicySnapshot notLoaded() {
    return new PolicySnapshot(false, List.of(), NamespaceRules.DEFAULTS);
  }
}
