package dev.tollgate.verifier.namespace;

import dev.tollgate.schemas.event.Reason;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.reason.DecisionReason;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which namespaces runs may go to: never {@code default}, a Kubernetes, Tekton or Tollgate system
 * namespace, the Kafka cluster's namespace, or one an administrator reserved. The same rules refuse
 * a policy at load ({@code PolicySet}), deny a trigger ({@code Decider}) and stop provisioning
 * ({@link TenantProvisioner}), so a namespace refused at one wall is refused at all of them.
 */
public final class NamespaceRules {

  /**
   * The label that hands a namespace to Tollgate: the verifier sets it on the namespaces it
   * creates, an administrator sets it on an existing namespace Tollgate may manage. The admission
   * wall on Pods ({@code deploy/policies}) selects tenant namespaces by it.
   */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** The value of {@link #MANAGED_BY} on tenant namespaces. */
  public static final String TOLLGATE = "tollgate";

  /** Where Strimzi's Kafka cluster lives unless configured otherwise (deploy/topics). */
  public static final String DEFAULT_KAFKA_NAMESPACE = "kafka";

  private static final Set<String> SYSTEM =
      Set.of(
          "default",
          "kube-system",
          "kube-public",
          "kube-node-lease",
          "tekton-pipelines",
          "tekton-pipelines-resolvers",
          "tekton-chains",
          "tollgate-system");

  private static final Pattern SYSTEM_PREFIX =
      Pattern.compile("^(kube-|openshift|tollgate-|tekton-pipelines-).*");

  /** The built-in rules with the default Kafka namespace. */
  public static final NamespaceRules DEFAULTS =
      new NamespaceRules(DEFAULT_KAFKA_NAMESPACE, List.of());

  private final String kafkaNamespace;
  private final Set<String> reserved;

  private NamespaceRules(String kafkaNamespace, List<String> reserved) {
    if (kafkaNamespace == null || kafkaNamespace.isBlank()) {
      throw new IllegalArgumentException("the Kafka namespace is named");
    }
    this.kafkaNamespace = kafkaNamespace;
    this.reserved = Set.copyOf(new LinkedHashSet<>(reserved));
  }

  /**
   * The built-in rules plus the Kafka cluster's namespace and any namespaces an administrator
   * reserved ({@code tollgate.verifier.tenants.kafka-namespace}, {@code reserved-namespaces}).
   */
  public static NamespaceRules of(String kafkaNamespace, List<String> reserved) {
    return new NamespaceRules(kafkaNamespace, reserved);
  }

  /** The rules {@code tollgate.verifier.tenants} configures. */
  public static NamespaceRules of(VerifierConfig.Tenants tenants) {
    return of(tenants.kafkaNamespace(), tenants.reservedNamespaces().orElse(List.of()));
  }

  /** Why runs may not go to {@code namespace}, if they may not. */
  public Optional<Reason> refuse(String namespace) {
    return why(namespace).map(DecisionReason.NAMESPACE_FORBIDDEN::reason);
  }

  /** Why runs may not go to {@code namespace}, as a sentence, if they may not. */
  public Optional<String> why(String namespace) {
    if (namespace == null || namespace.isEmpty()) {
      return Optional.of("PipelineRuns never go to an unnamed namespace");
    }
    String refused = "PipelineRuns never go to namespace '" + namespace + "': ";
    if (SYSTEM.contains(namespace) || SYSTEM_PREFIX.matcher(namespace).matches()) {
      return Optional.of(refused + "it is default or a system namespace");
    }
    if (namespace.equals(kafkaNamespace)) {
      return Optional.of(
          refused
              + "it is the Kafka cluster's namespace (tollgate.verifier.tenants.kafka-namespace)");
    }
    if (reserved.contains(namespace)) {
      return Optional.of(
          refused + "an administrator reserved it (tollgate.verifier.tenants.reserved-namespaces)");
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "NamespaceRules[kafka=" + kafkaNamespace + ", reserved=" + reserved + "]";
  }
}
