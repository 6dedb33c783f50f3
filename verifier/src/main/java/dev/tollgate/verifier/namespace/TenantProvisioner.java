package dev.tollgate.verifier.namespace;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Creates or repairs a tenant namespace with secure defaults before a run: pod security {@code
 * restricted} (enforce, audit, warn), a run ServiceAccount that mounts no token, a Role that may
 * only read what a run needs and its RoleBinding, a NetworkPolicy denying all ingress and allowing
 * egress only to DNS and configured CIDRs, a workspace claim, a ResourceQuota and a LimitRange.
 * Each object is compared with what it must be and written only when it differs, so a second pass
 * changes nothing; the report says what was created and what repaired.
 */
public final class TenantProvisioner {
  public static final String RUN_SERVICE_ACCOUNT = "tollgate-run";
  public static final String WORKSPACE_CLAIM = "tollgate-workspace";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String TOLLGATE = "tollgate";
  private static final String POD_SECURITY = "pod-security.kubernetes.io/";

  /** Secure-default sizes and destinations. */
  public record Defaults(
      List<String> egressCidrs,
      String workspaceSize,
      String quotaPods,
      String quotaCpu,
      String quotaMemory,
      String defaultCpu,
      String defaultMemory) {
    public Defaults {
      egressCidrs = List.copyOf(egressCidrs);
      Objects.requireNonNull(workspaceSize);
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

  public TenantProvisioner(KubernetesClient client, Defaults defaults) {
    this.client = client;
    this.defaults = defaults;
  }

  /**
   * Brings {@code namespace} to its secure defaults.
   *
   * @throws KubernetesClientException when the API server refuses or cannot be reached
   */
  public Report provision(String namespace) {
    if (NamespaceRules.forbidden(namespace).isPresent()) {
      throw new IllegalArgumentException("never provisioned: " + namespace);
    }
    List<String> created = new ArrayList<>();
    List<String> repaired = new ArrayList<>();
    ensure(
        client.namespaces().withName(namespace),
        namespace(namespace),
        TenantProvisioner::namespaceDiffers,
        created,
        repaired);
    ensure(
        client.serviceAccounts().inNamespace(namespace).withName(RUN_SERVICE_ACCOUNT),
        serviceAccount(namespace),
        (a, b) -> !Boolean.FALSE.equals(a.getAutomountServiceAccountToken()),
        created,
        repaired);
    Role role = role(namespace);
    ensure(
        client.rbac().roles().inNamespace(namespace).withName(role.getMetadata().getName()),
        role,
        (a, b) -> !Objects.equals(a.getRules(), b.getRules()),
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

  private static boolean namespaceDiffers(Namespace existing, Namespace wanted) {
    Map<String, String> labels = existing.getMetadata().getLabels();
    if (labels == null) {
      return true;
    }
    for (Map.Entry<String, String> e : wanted.getMetadata().getLabels().entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return true;
      }
    }
    return false;
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

  private static ServiceAccount serviceAccount(String ns) {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName(RUN_SERVICE_ACCOUNT)
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withAutomountServiceAccountToken(false)
        .build();
  }

  private static Role role(String ns) {
    return new RoleBuilder()
        .withNewMetadata()
        .withName(RUN_SERVICE_ACCOUNT)
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .addNewRule()
        .withApiGroups("")
        .withResources("configmaps")
        .withVerbs("get")
        .endRule()
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
