package dev.tollgate.verifier.namespace;

import dev.tollgate.verifier.reason.DecisionReason;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates or repairs a tenant namespace with secure defaults before a run: pod security {@code
 * restricted} (enforce, audit, warn), a run ServiceAccount that mounts no token, a Role that grants
 * runs nothing and its RoleBinding, a NetworkPolicy denying all ingress and allowing egress only to
 * DNS and configured CIDRs, a workspace claim, a ResourceQuota and a LimitRange, and when the
 * policy names one, a copy of the registry pull Secret an administrator designated for it. Each
 * object is compared with what it must be and written only when it differs, so a second pass
 * changes nothing; the report says what was created and what repaired. With a {@link
 * TenantObjectWatch}, an object whose watched copy is already what it must be is not read again, so
 * a pass over a namespace at its secure defaults sends no request.
 *
 * <p>Only namespaces Tollgate created or an administrator handed to it ({@value
 * NamespaceRules#MANAGED_BY}={@value NamespaceRules#TOLLGATE}) are touched; an existing namespace
 * without the label, or one that does not enforce the restricted Pod Security Standard, is refused
 * before anything is written into it. The namespace object itself is created, never updated: the
 * verifier holds no right to relabel namespaces, so it cannot hand itself one.
 */
public final class TenantProvisioner {
  public static final String RUN_SERVICE_ACCOUNT = "tollgate-run";
  public static final String WORKSPACE_CLAIM = "tollgate-workspace";

  /** On each copy of a pull Secret: the designated source it was copied from. */
  public static final String PULL_SECRET_SOURCE = "tollgate.dev/pull-secret-source";

  static final String MANAGED_BY = NamespaceRules.MANAGED_BY;
  static final String TOLLGATE = NamespaceRules.TOLLGATE;
  private static final String ENFORCE = TenantObjects.POD_SECURITY + "enforce";
  private static final String RESTRICTED = "restricted";

  /**
   * Secure-default sizes and destinations.
   *
   * @param pullSecrets the registry pull Secrets policies may name, with their designated sources
   */
  public record Defaults(
      List<String> egressCidrs,
      String workspaceSize,
      String quotaPods,
      String quotaCpu,
      String quotaMemory,
      String defaultCpu,
      String defaultMemory,
      List<PullSecretSource> pullSecrets) {
    public Defaults {
      egressCidrs = List.copyOf(egressCidrs);
      Objects.requireNonNull(workspaceSize);
      pullSecrets = List.copyOf(pullSecrets);
      if (pullSecrets.stream().map(PullSecretSource::name).distinct().count()
          != pullSecrets.size()) {
        throw new IllegalArgumentException("each pull Secret name is designated once");
      }
    }

    /** Defaults with no pull Secrets designated. */
    public Defaults(
        List<String> egressCidrs,
        String workspaceSize,
        String quotaPods,
        String quotaCpu,
        String quotaMemory,
        String defaultCpu,
        String defaultMemory) {
      this(
          egressCidrs,
          workspaceSize,
          quotaPods,
          quotaCpu,
          quotaMemory,
          defaultCpu,
          defaultMemory,
          List.of());
    }

    /** The designated source of the pull Secret a policy names {@code name}. */
    public Optional<PullSecretSource> pullSecret(String name) {
      return pullSecrets.stream().filter(p -> p.name().equals(name)).findFirst();
    }
  }

  /** What a pass did: objects created and objects repaired, as {@code Kind/name}. */
  public record Report(String namespace, List<String> created, List<String> repaired) {
    public Report {
      created = List.copyOf(created);
      repaired = List.copyOf(repaired);
    }

    public boolean changedAnything() {
      return !created.isEmpty() || !repaired.isEmpty();
    }

    /** One line for a decision. */
    public String summary() {
      if (!changedAnything()) {
        return "namespace " + namespace + " already had its secure defaults";
      }
      return "namespace "
          + namespace
          + (created.isEmpty() ? "" : ": created " + String.join(", ", created))
          + (repaired.isEmpty()
              ? ""
              : (created.isEmpty() ? ": " : "; ") + "repaired " + String.join(", ", repaired));
    }
  }

  private final KubernetesClient client;
  private final NamespaceRules rules;
  private final TenantObjects objects;
  private final PullSecretCopier pullSecrets;
  private final ObjectReconciler reconciler;
  private final TenantObjectWatch watch;

  public TenantProvisioner(KubernetesClient client, Defaults defaults, NamespaceRules rules) {
    this(client, defaults, rules, null);
  }

  /**
   * A provisioner that takes what {@code watch} holds (when not null) as the API server's answer
   * for every object it confirms to be at its secure defaults, and reads every other.
   */
  public TenantProvisioner(
      KubernetesClient client, Defaults defaults, NamespaceRules rules, TenantObjectWatch watch) {
    this.watch = watch;
    this.client = client;
    this.rules = rules;
    this.objects = new TenantObjects(defaults);
    this.pullSecrets = new PullSecretCopier(client, defaults);
    this.reconciler = new ObjectReconciler(client);
  }

  /**
   * Brings {@code namespace} to its secure defaults.
   *
   * @throws NamespaceRefusedException when the namespace is reserved, or exists and was not handed
   *     to Tollgate; nothing was written
   * @throws KubernetesClientException when the API server refuses or cannot be reached
   */
  public Report provision(String namespace) throws NamespaceRefusedException {
    return provision(namespace, Optional.empty());
  }

  /**
   * Brings {@code namespace} to its secure defaults, with a copy of the registry pull Secret {@code
   * pullSecret} names for its runs' ServiceAccount when it names one.
   *
   * @throws NamespaceRefusedException when the namespace is reserved, or exists and was not handed
   *     to Tollgate, or the pull Secret is not designated or its source is unusable; nothing was
   *     written into the namespace
   * @throws KubernetesClientException when the API server refuses or cannot be reached
   */
  public Report provision(String namespace, Optional<String> pullSecret)
      throws NamespaceRefusedException {
    Optional<String> reserved = rules.why(namespace);
    if (reserved.isPresent()) {
      throw new NamespaceRefusedException(
          namespace, DecisionReason.NAMESPACE_FORBIDDEN, reserved.get());
    }
    List<String> created = new ArrayList<>();
    List<String> repaired = new ArrayList<>();
    Namespace seen = watched(Namespace.class, null, namespace);
    Namespace existing =
        seen != null && handedOver(seen) ? seen : client.namespaces().withName(namespace).get();
    if (existing == null) {
      Namespace wanted = objects.namespace(namespace);
      try {
        client.resource(wanted).create();
        created.add(wanted.getKind() + "/" + namespace);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Created a moment ago, by another replica or by someone else: checked like any other.
        existing = client.namespaces().withName(namespace).get();
        if (existing == null) {
          throw e;
        }
      }
    }
    if (existing != null) {
      requireHandedOver(existing);
    }
    Optional<String> pullCopy = Optional.empty();
    if (pullSecret.isPresent()) {
      pullCopy = Optional.of(pullSecrets.copy(namespace, pullSecret.get(), created));
    }
    Optional<String> pulls = pullCopy;
    reconciler.ensure(
        client.serviceAccounts().inNamespace(namespace).withName(RUN_SERVICE_ACCOUNT),
        watched(ServiceAccount.class, namespace, RUN_SERVICE_ACCOUNT),
        TenantObjects.serviceAccount(namespace, pulls),
        (a, b) ->
            !Boolean.FALSE.equals(a.getAutomountServiceAccountToken())
                || (pulls.isPresent() && !pullSecretNames(a).equals(pullSecretNames(b))),
        created,
        repaired);
    Role role = TenantObjects.role(namespace);
    reconciler.ensure(
        client.rbac().roles().inNamespace(namespace).withName(role.getMetadata().getName()),
        watched(Role.class, namespace, role.getMetadata().getName()),
        role,
        (a, b) -> !Objects.equals(rulesOf(a), rulesOf(b)),
        created,
        repaired);
    RoleBinding binding = TenantObjects.roleBinding(namespace);
    reconciler.ensure(
        client
            .rbac()
            .roleBindings()
            .inNamespace(namespace)
            .withName(binding.getMetadata().getName()),
        watched(RoleBinding.class, namespace, binding.getMetadata().getName()),
        binding,
        (a, b) ->
            !Objects.equals(a.getSubjects(), b.getSubjects())
                || !Objects.equals(a.getRoleRef(), b.getRoleRef()),
        created,
        repaired);
    NetworkPolicy policy = objects.networkPolicy(namespace);
    reconciler.ensure(
        client
            .network()
            .v1()
            .networkPolicies()
            .inNamespace(namespace)
            .withName(policy.getMetadata().getName()),
        watched(NetworkPolicy.class, namespace, policy.getMetadata().getName()),
        policy,
        (a, b) -> !Objects.equals(a.getSpec(), b.getSpec()),
        created,
        repaired);
    PersistentVolumeClaim claim = objects.claim(namespace);
    // A claim's spec is immutable once bound: it is created, never rewritten.
    reconciler.ensure(
        client.persistentVolumeClaims().inNamespace(namespace).withName(WORKSPACE_CLAIM),
        watched(PersistentVolumeClaim.class, namespace, WORKSPACE_CLAIM),
        claim,
        (a, b) -> false,
        created,
        repaired);
    ResourceQuota quota = objects.quota(namespace);
    reconciler.ensure(
        client.resourceQuotas().inNamespace(namespace).withName(quota.getMetadata().getName()),
        watched(ResourceQuota.class, namespace, quota.getMetadata().getName()),
        quota,
        (a, b) -> !Objects.equals(a.getSpec().getHard(), b.getSpec().getHard()),
        created,
        repaired);
    LimitRange limits = objects.limitRange(namespace);
    reconciler.ensure(
        client.limitRanges().inNamespace(namespace).withName(limits.getMetadata().getName()),
        watched(LimitRange.class, namespace, limits.getMetadata().getName()),
        limits,
        (a, b) -> !Objects.equals(a.getSpec(), b.getSpec()),
        created,
        repaired);
    return new Report(namespace, created, repaired);
  }

  private static List<String> pullSecretNames(ServiceAccount account) {
    if (account.getImagePullSecrets() == null) {
      return List.of();
    }
    return account.getImagePullSecrets().stream().map(LocalObjectReference::getName).toList();
  }

  /** The copy {@link #watch} holds, or null (nothing watched, or the watch does not hold it). */
  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T watched(
      Class<T> kind, String namespace, String name) {
    return watch == null ? null : watch.current(kind, namespace, name);
  }

  /** Whether {@code existing} is Tollgate's and restricted ({@link #requireHandedOver}'s test). */
  private static boolean handedOver(Namespace existing) {
    Map<String, String> labels =
        existing.getMetadata().getLabels() == null ? Map.of() : existing.getMetadata().getLabels();
    return TOLLGATE.equals(labels.get(MANAGED_BY)) && RESTRICTED.equals(labels.get(ENFORCE));
  }

  /** An existing namespace is Tollgate's only when labelled so, and only when it is restricted. */
  private static void requireHandedOver(Namespace existing) throws NamespaceRefusedException {
    String name = existing.getMetadata().getName();
    Map<String, String> labels =
        existing.getMetadata().getLabels() == null ? Map.of() : existing.getMetadata().getLabels();
    if (!TOLLGATE.equals(labels.get(MANAGED_BY))) {
      throw new NamespaceRefusedException(
          name,
          DecisionReason.NAMESPACE_NOT_MANAGED,
          "Namespace '"
              + name
              + "' exists and was neither created by Tollgate nor labelled "
              + MANAGED_BY
              + "="
              + TOLLGATE
              + " by an administrator: Tollgate does not adopt it");
    }
    if (!RESTRICTED.equals(labels.get(ENFORCE))) {
      throw new NamespaceRefusedException(
          name,
          DecisionReason.NAMESPACE_NOT_MANAGED,
          "Namespace '"
              + name
              + "' does not enforce the restricted Pod Security Standard ("
              + ENFORCE
              + "="
              + labels.getOrDefault(ENFORCE, "(unset)")
              + "); Tollgate runs nothing there until it does");
    }
  }

  // An API server returns an empty rule list as no list at all.
  private static List<PolicyRule> rulesOf(Role role) {
    return role.getRules() == null ? List.of() : role.getRules();
  }
}
