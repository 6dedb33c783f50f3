package dev.tollgate.verifier.namespace;

import static dev.tollgate.verifier.namespace.TenantProvisioner.RUN_SERVICE_ACCOUNT;
import static dev.tollgate.verifier.namespace.TenantProvisioner.WORKSPACE_CLAIM;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The objects a tenant namespace must hold, as Tollgate wants them: each labelled {@value
 * NamespaceRules#MANAGED_BY}={@value NamespaceRules#TOLLGATE}, sized and aimed by the
 * administrator's {@link TenantProvisioner.Defaults}.
 */
final class TenantObjects {
  static final String POD_SECURITY = "pod-security.kubernetes.io/";

  private final TenantProvisioner.Defaults defaults;

  TenantObjects(TenantProvisioner.Defaults defaults) {
    this.defaults = defaults;
  }

  /**
   * The label every object Tollgate writes carries: {@value NamespaceRules#MANAGED_BY}={@value
   * NamespaceRules#TOLLGATE}.
   */
  static Map<String, String> managed() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NamespaceRules.MANAGED_BY, NamespaceRules.TOLLGATE);
    return labels;
  }

  Namespace namespace(String name) {
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

  static ServiceAccount serviceAccount(String ns, Optional<String> pullSecret) {
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
  static Role role(String ns) {
    return new RoleBuilder()
        .withNewMetadata()
        .withName(RUN_SERVICE_ACCOUNT)
        .withNamespace(ns)
        .withLabels(managed())
        .endMetadata()
        .withRules(List.of())
        .build();
  }

  static RoleBinding roleBinding(String ns) {
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

  NetworkPolicy networkPolicy(String ns) {
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

  PersistentVolumeClaim claim(String ns) {
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

  ResourceQuota quota(String ns) {
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

  LimitRange limitRange(String ns) {
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
