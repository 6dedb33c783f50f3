package dev.tollgate.verifier.namespace;

import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.reason.DecisionReason;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * changes nothing; the report says what was created and what repaired.
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

  private static final String DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson";
  private static final String DOCKER_CONFIG_JSON = ".dockerconfigjson";
  static final String MANAGED_BY = NamespaceRules.MANAGED_BY;
  static final String TOLLGATE = NamespaceRules.TOLLGATE;
  private static final String POD_SECURITY = "pod-security.kubernetes.io/";
  private static final String ENFORCE = POD_SECURITY + "enforce";
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
  private final Defaults defaults;
  private final NamespaceRules rules;

  public TenantProvisioner(KubernetesClient client, Defaults defaults, NamespaceRules rules) {
    this.client = client;
    this.defaults = defaults;
    this.rules = rules;
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
    Namespace existing = client.namespaces().withName(namespace).get();
    if (existing == null) {
      Namespace wanted = namespace(namespace);
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
      pullCopy = Optional.of(copyPullSecret(namespace, pullSecret.get(), created));
    }
    Optional<String> pulls = pullCopy;
    ensure(
        client.serviceAccounts().inNamespace(namespace).withName(RUN_SERVICE_ACCOUNT),
        serviceAccount(namespace, pulls),
        (a, b) ->
            !Boolean.FALSE.equals(a.getAutomountServiceAccountToken())
                || (pulls.isPresent() && !pullSecretNames(a).equals(pullSecretNames(b))),
        created,
        repaired);
    Role role = role(namespace);
    ensure(
        client.rbac().roles().inNamespace(namespace).withName(role.getMetadata().getName()),
        role,
        (a, b) -> !Objects.equals(rulesOf(a), rulesOf(b)),
        created,
        repaired);
    RoleBinding binding = roleBinding(namespace);
    ensure(
        client
            .rbac()
            .roleBindings()
            .inNamespace(namespace)
            .withName(binding.getMetadata().getName()),
        binding,
        (a, b) ->
            !Objects.equals(a.getSubjects(), b.getSubjects())
                || !Objects.equals(a.getRoleRef(), b.getRoleRef()),
        created,
        repaired);
    NetworkPolicy policy = networkPolicy(namespace);
    ensure(
        client
            .network()
            .v1()
            .networkPolicies()
            .inNamespace(namespace)
            .withName(policy.getMetadata().getName()),
        policy,
        (a, b) -> !Objects.equals(a.getSpec(), b.getSpec()),
        created,
        repaired);
    PersistentVolumeClaim claim = claim(namespace);
    // A claim's spec is immutable once bound: it is created, never rewritten.
    ensure(
        client.persistentVolumeClaims().inNamespace(namespace).withName(WORKSPACE_CLAIM),
        claim,
        (a, b) -> false,
        created,
        repaired);
    ResourceQuota quota = quota(namespace);
    ensure(
        client.resourceQuotas().inNamespace(namespace).withName(quota.getMetadata().getName()),
        quota,
        (a, b) -> !Objects.equals(a.getSpec().getHard(), b.getSpec().getHard()),
        created,
        repaired);
    LimitRange limits = limitRange(namespace);
    ensure(
        client.limitRanges().inNamespace(namespace).withName(limits.getMetadata().getName()),
        limits,
        (a, b) -> !Objects.equals(a.getSpec(), b.getSpec()),
        created,
        repaired);
    return new Report(namespace, created, repaired);
  }

  /**
   * Copies the designated source of {@code name} into {@code namespace}, under a name that carries
   * a digest of its content ({@code <name>-<10 hex>}): the copy is only ever created, never read or
   * updated (the verifier holds no right to read Secrets there), and a rotated source makes a new
   * copy the ServiceAccount then points to. Returns the copy's name.
   */
  private String copyPullSecret(String namespace, String name, List<String> created)
      throws NamespaceRefusedException {
    PullSecretSource source =
        defaults
            .pullSecret(name)
            .orElseThrow(
                () ->
                    new NamespaceRefusedException(
                        namespace,
                        DecisionReason.PULL_SECRET_NOT_DESIGNATED,
                        "The policy names registry pull Secret '"
                            + name
                            + "', which no administrator designated a source for"
                            + " (tollgate.verifier.tenants.pull-secrets designates "
                            + defaults.pullSecrets().stream().map(PullSecretSource::name).toList()
                            + ")"));
    Secret src = client.secrets().inNamespace(source.namespace()).withName(source.secret()).get();
    String where = "Secret " + source.namespace() + "/" + source.secret();
    if (src == null) {
      throw new NamespaceRefusedException(
          namespace,
          DecisionReason.PULL_SECRET_UNAVAILABLE,
          where + ", the designated source of pull Secret '" + name + "', does not exist");
    }
    String data = src.getData() == null ? null : src.getData().get(DOCKER_CONFIG_JSON);
    if (!DOCKER_CONFIG_JSON_TYPE.equals(src.getType()) || data == null || data.isEmpty()) {
      throw new NamespaceRefusedException(
          namespace,
          DecisionReason.PULL_SECRET_UNAVAILABLE,
          where
              + ", the designated source of pull Secret '"
              + name
              + "', is not of type "
              + DOCKER_CONFIG_JSON_TYPE
              + " with a "
              + DOCKER_CONFIG_JSON
              + " key");
    }
    String copyName =
        name + "-" + Sha256.hex(data.getBytes(StandardCharsets.US_ASCII)).substring(0, 10);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(PULL_SECRET_SOURCE, source.namespace() + "/" + source.secret());
    Secret copy =
        new SecretBuilder()
            .withNewMetadata()
            .withName(copyName)
            .withNamespace(namespace)
            .withLabels(managed())
            .withAnnotations(annotations)
            .endMetadata()
            .withType(DOCKER_CONFIG_JSON_TYPE)
            .withImmutable(true)
            .withData(Map.of(DOCKER_CONFIG_JSON, data))
            .build();
    try {
      client.resource(copy).create();
      created.add("Secret/" + copyName);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // The copy of this very content exists (its name says so): nothing to do.
    }
    return copyName;
  }

  private static List<String> pullSecretNames(ServiceAccount account) {
    if (account.getImagePullSecrets() == null) {
      return List.of();
    }
    return account.getImagePullSecrets().stream().map(LocalObjectReference::getName).toList();
  }

  /** A predicate over (existing, wanted). */
  interface Differs<T> {
    boolean test(T existing, T wanted);
  }

  private <T extends HasMetadata> void ensure(
      Resource<T> resource,
      T wanted,
      Differs<T> differs,
      List<String> created,
      List<String> repaired) {
    T existing = resource.get();
    String what = wanted.getKind() + "/" + wanted.getMetadata().getName();
    if (existing == null) {
      try {
        client.resource(wanted).create();
        created.add(what);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Another replica created it a moment ago: it is checked on the next run.
      }
      return;
    }
    if (differs.test(existing, wanted)) {
      Map<String, String> labels = new LinkedHashMap<>();
      if (existing.getMetadata().getLabels() != null) {
        labels.putAll(existing.getMetadata().getLabels());
      }
      labels.putAll(wanted.getMetadata().getLabels());
      wanted.getMetadata().setLabels(labels);
      wanted.getMetadata().setAnnotations(existing.getMetadata().getAnnotations());
      wanted.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      client.resource(wanted).update();
      repaired.add(what);
    }
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

  static Map<String, String> managed() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, TOLLGATE);
    return labels;
  }

  private Namespace namespace(String name) {
    Map<String, String> labels = managed();
    for (String mode : List.of("enforce", "audit", "warn")) {
      labels.put(POD_SECURITY + mode, "restricted");
      labels.put(POD_SECURITY + mode + "-version", "latest");
    }
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  private static ServiceAccount serviceAccount(String ns, Optional<String> pullSecret) {
    ServiceAccountBuilder b =
        new ServiceAccountBuilder()
            .withNewMetadata()
            .withName(RUN_SERVICE_ACCOUNT)
            .withNamespace(ns)
            .withLabels(managed())
            .endMetadata()
            .withAutomountServiceAccountToken(false);
    pullSecret.ifPresent(name -> b.addNewImagePullSecret(name));
    return b.build();
  }

  /**
   * The runs' Role grants nothing: runs mount no service account token, so they reach the API
   * server with nothing a Role could grant, and Kubernetes lets the verifier write only a Role it
   * could hold itself (escalation prevention). It exists, kept empty, so that a rule added to it is
   * taken away again at the next run.
   */
  private static Role role(String ns) {
    return new RoleBuilder()
        .withNewMetadata()
        .withName(RUN_SERVICE_ACCOUNT)
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withRules(List.of())
        .build();
  }

  private static RoleBinding roleBinding(String ns) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName(RUN_SERVICE_ACCOUNT)
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", RUN_SERVICE_ACCOUNT)
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(RUN_SERVICE_ACCOUNT)
        .withNamespace(ns)
        .endSubject()
        .build();
  }

  private NetworkPolicy networkPolicy(String ns) {
    List<NetworkPolicyEgressRule> egress = new ArrayList<>();
    egress.add(
        new NetworkPolicyEgressRuleBuilder()
            .addNewTo()
            .withNewNamespaceSelector()
            .addToMatchLabels("kubernetes.io/metadata.name", "kube-system")
            .endNamespaceSelector()
            .withNewPodSelector()
            .addToMatchLabels("k8s-app", "kube-dns")
            .endPodSelector()
            .endTo()
            .addNewPort()
            .withProtocol("UDP")
            .withNewPort(53)
            .endPort()
            .addNewPort()
            .withProtocol("TCP")
            .withNewPort(53)
            .endPort()
            .build());
    if (!defaults.egressCidrs().isEmpty()) {
      NetworkPolicyEgressRuleBuilder b = new NetworkPolicyEgressRuleBuilder();
      for (String cidr : defaults.egressCidrs()) {
        b.addNewTo().withNewIpBlock().withCidr(cidr).endIpBlock().endTo();
      }
      egress.add(b.build());
    }
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withName("tollgate-default")
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .endPodSelector()
        .withPolicyTypes("Ingress", "Egress")
        .withIngress(List.of())
        .withEgress(egress)
        .endSpec()
        .build();
  }

  private PersistentVolumeClaim claim(String ns) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(WORKSPACE_CLAIM)
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .addToRequests("storage", new Quantity(defaults.workspaceSize()))
        .endResources()
        .endSpec()
        .build();
  }

  private ResourceQuota quota(String ns) {
    Map<String, Quantity> hard = new LinkedHashMap<>();
    hard.put("pods", new Quantity(defaults.quotaPods()));
    hard.put("requests.cpu", new Quantity(defaults.quotaCpu()));
    hard.put("limits.cpu", new Quantity(defaults.quotaCpu()));
    hard.put("requests.memory", new Quantity(defaults.quotaMemory()));
    hard.put("limits.memory", new Quantity(defaults.quotaMemory()));
    hard.put("persistentvolumeclaims", new Quantity("2"));
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withName("tollgate-quota")
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withNewSpec()
        .withHard(hard)
        .endSpec()
        .build();
  }

  private LimitRange limitRange(String ns) {
    Map<String, Quantity> limit = new LinkedHashMap<>();
    limit.put("cpu", new Quantity(defaults.defaultCpu()));
    limit.put("memory", new Quantity(defaults.defaultMemory()));
    return new LimitRangeBuilder()
        .withNewMetadata()
        .withName("tollgate-limits")
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withNewSpec()
        .addNewLimit()
        .withType("Container")
        .withDefault(limit)
        .withDefaultRequest(limit)
        .endLimit()
        .endSpec()
        .build();
  }
}
