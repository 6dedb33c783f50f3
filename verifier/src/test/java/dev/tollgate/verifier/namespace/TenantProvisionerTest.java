package dev.tollgate.verifier.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.reason.DecisionReason;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which namespaces the verifier touches: those it creates and those an administrator handed to it
 * by label; never a reserved one, an unlabelled existing one, or one without restricted pod
 * security. Against fabric8's mock API server in CRUD mode.
 */
@EnableKubernetesMockClient(crud = true)
class TenantProvisionerTest {
  private static final TenantProvisioner.Defaults DEFAULTS =
      new TenantProvisioner.Defaults(List.of("10.0.0.0/8"), "1Gi", "20", "8", "16Gi", "1", "1Gi");
  private static final NamespaceRules RULES = NamespaceRules.of("strimzi", List.of("team-ops"));

  static KubernetesClient client;
  static KubernetesMockServer server;

  private TenantProvisioner provisioner() {
    return new TenantProvisioner(client, DEFAULTS, RULES);
  }

  @Test
  void provision_absentNamespace_createdLabelledAsTollgatesAndRestricted() throws Exception {
    TenantProvisioner.Report report = provisioner().provision("team-new");

    assertThat(report.created())
        .containsExactly(
            "Namespace/team-new",
            "ServiceAccount/tollgate-run",
            "Role/tollgate-run",
            "RoleBinding/tollgate-run",
            "NetworkPolicy/tollgate-default",
            "PersistentVolumeClaim/tollgate-workspace",
            "ResourceQuota/tollgate-quota",
            "LimitRange/tollgate-limits");
    assertThat(client.namespaces().withName("team-new").get().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "tollgate")
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    assertThat(
            client.rbac().roles().inNamespace("team-new").withName("tollgate-run").get().getRules())
        .isNullOrEmpty();
  }

  @Test
  void provision_secondPass_changesNothing() throws Exception {
    provisioner().provision("team-twice");

    TenantProvisioner.Report again = provisioner().provision("team-twice");

    assertThat(again.changedAnything()).isFalse();
  }

  @Test
  void provision_namespaceAnAdministratorLabelled_adoptedAndProvisioned() throws Exception {
    client
        .resource(
            namespace(
                "team-handed",
                Map.of(
                    "app.kubernetes.io/managed-by", "tollgate",
                    "pod-security.kubernetes.io/enforce", "restricted",
                    "owner", "platform")))
        .create();

    TenantProvisioner.Report report = provisioner().provision("team-handed");

    assertThat(report.created())
        .doesNotContain("Namespace/team-handed")
        .contains("Role/tollgate-run");
    assertThat(report.repaired()).isEmpty();
    assertThat(client.namespaces().withName("team-handed").get().getMetadata().getLabels())
        .containsEntry("owner", "platform");
  }

  @Test
  void provision_unlabelledExistingNamespace_refusedAndNothingWritten() {
    client.resource(namespace("team-foreign", Map.of("owner", "someone"))).create();

    assertThatThrownBy(() -> provisioner().provision("team-foreign"))
        .isInstanceOfSatisfying(
            NamespaceRefusedException.class,
            e -> {
              assertThat(e.namespace()).isEqualTo("team-foreign");
              assertThat(e.reason().code()).isEqualTo(DecisionReason.NAMESPACE_NOT_MANAGED.code());
              assertThat(e.reason().message())
                  .contains("team-foreign", "app.kubernetes.io/managed-by=tollgate", "not adopt");
              assertThat(e.reason().remediation()).contains("managed-by=tollgate");
            });
    assertThat(client.serviceAccounts().inNamespace("team-foreign").list().getItems()).isEmpty();
    assertThat(client.rbac().roles().inNamespace("team-foreign").list().getItems()).isEmpty();
    assertThat(client.namespaces().withName("team-foreign").get().getMetadata().getLabels())
        .doesNotContainKey("app.kubernetes.io/managed-by");
  }

  @Test
  void provision_labelledNamespaceNotRestricted_refusedAndNotRelabelled() {
    client
        .resource(
            namespace(
                "team-privileged",
                Map.of(
                    "app.kubernetes.io/managed-by", "tollgate",
                    "pod-security.kubernetes.io/enforce", "privileged")))
        .create();

    assertThatThrownBy(() -> provisioner().provision("team-privileged"))
        .isInstanceOfSatisfying(
            NamespaceRefusedException.class,
            e ->
                assertThat(e.reason().message())
                    .contains("pod-security.kubernetes.io/enforce=privileged"));
    assertThat(client.namespaces().withName("team-privileged").get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
    assertThat(client.serviceAccounts().inNamespace("team-privileged").list().getItems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "default",
        "tollgate-system",
        "tekton-pipelines",
        "strimzi",
        "team-ops"
      })
  void provision_reservedNamespace_refusedBeforeAnyRequest(String namespace) {
    int before = server.getRequestCount();

    assertThatThrownBy(() -> provisioner().provision(namespace))
        .isInstanceOfSatisfying(
            NamespaceRefusedException.class,
            e -> {
              assertThat(e.reason().code()).isEqualTo(DecisionReason.NAMESPACE_FORBIDDEN.code());
              assertThat(e.reason().message()).contains("'" + namespace + "'");
            });
    assertThat(server.getRequestCount()).isEqualTo(before);
  }

  @Test
  void provision_runRoleGivenARule_repairedToGrantNothing() throws Exception {
    provisioner().provision("team-role");
    client
        .rbac()
        .roles()
        .inNamespace("team-role")
        .withName("tollgate-run")
        .edit(
            r -> {
              r.setRules(
                  List.of(
                      new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder()
                          .withApiGroups("")
                          .withResources("secrets")
                          .withVerbs("get")
                          .build()));
              return r;
            });

    TenantProvisioner.Report report = provisioner().provision("team-role");

    assertThat(report.repaired()).containsExactly("Role/tollgate-run");
    assertThat(
            client
                .rbac()
                .roles()
                .inNamespace("team-role")
                .withName("tollgate-run")
                .get()
                .getRules())
        .isNullOrEmpty();
  }

  @Test
  void rules_kafkaNamespaceByDefault_refusedWithTheProperty() {
    assertThat(NamespaceRules.DEFAULTS.why("kafka"))
        .hasValueSatisfying(
            why -> assertThat(why).contains("tollgate.verifier.tenants.kafka-namespace"));
    assertThat(NamespaceRules.DEFAULTS.why("team-kafka")).isEmpty();
    assertThat(NamespaceRules.DEFAULTS.why("tenant-kube-x")).isEmpty();
  }

  private static Namespace namespace(String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }
}
