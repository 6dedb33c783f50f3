package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.deploy.manifests.Kustomize.Rendered;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The release overlay on a real API server (k3s, Kubernetes 1.31: ValidatingAdmissionPolicy v1),
 * with Tekton's PipelineRun and TaskRun CRDs: the manifests install, and the admission policy
 * admits the verifier's pinned PipelineRun and refuses the others. Runs only where a Docker engine
 * answers; elsewhere JUnit reports it skipped ("Docker is not available"). The services' pods are
 * not awaited: their images are built by the release (see deploy/overlays/images).
 */
@Testcontainers(disabledWithoutDocker = true)
class K3sClusterTest {

  private static final String VERIFIER = "system:serviceaccount:tollgate-system:tollgate-verifier";
  private static final String TENANT = "tenant-acme";

  @Container
  static final K3sContainer K3S =
      new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));

  static KubernetesClient admin;
  static KubernetesClient verifier;

  @BeforeAll
  static void install() {
    Rendered release = Kustomize.render("overlays/release");
    Config config = Config.fromKubeconfig(K3S.getKubeConfigYaml());
    admin = new KubernetesClientBuilder().withConfig(config).build();
    verifier =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(config).withImpersonateUsername(VERIFIER).build())
            .build();
    for (CustomResourceDefinition crd : Crds.tekton()) {
      establish(crd);
    }
    for (CustomResourceDefinition crd : Crds.operators()) {
      establish(crd);
    }
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName("kafka").endMetadata().build())
        .create();
    for (HasMetadata object : release.objects()) {
      admin.resource(object).create();
    }
    // A tenant namespace as the verifier creates it (or an administrator hands one over).
    admin
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(TENANT)
                .addToLabels("app.kubernetes.io/managed-by", "tollgate")
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .create();
  }

  @AfterAll
  static void close() {
    if (verifier != null) {
      verifier.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  void pipelineRun_createdByClusterAdmin_refusedByTheApiServer() {
    GenericKubernetesResource run = pipelineRun("pipelinerun-pinned-bundle", "by-admin");

    awaitPolicyEnforced();
    assertThatThrownBy(() -> admin.resource(run).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("tollgate-pipelineruns")
        .hasMessageContaining("created by Tollgate only");
  }

  @Test
  void pipelineRun_verifierWithPinnedBundle_createdAndTagRefused() {
    awaitPolicyEnforced();

    HasMetadata created =
        verifier.resource(pipelineRun("pipelinerun-pinned-bundle", "pinned")).create();
    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThatThrownBy(
            () -> verifier.resource(pipelineRun("pipelinerun-tagged-bundle", "tagged")).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("resolver: bundles");
  }

  @Test
  void taskRun_createdDirectlyByTheVerifier_refused() {
    awaitPolicyEnforced();
    Map<String, Object> fixture = AdmissionPolicyTest.fixture("taskrun-standalone");
    GenericKubernetesResource run =
        Kustomize.SERIALIZATION.convertValue(fixture, GenericKubernetesResource.class);

    // RBAC refuses first (the verifier may not create TaskRuns); as admin, admission refuses.
    assertThatThrownBy(() -> verifier.resource(run).create())
        .isInstanceOf(KubernetesClientException.class);
    assertThatThrownBy(() -> admin.resource(run).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("TaskRuns are not created directly");
  }

  @Test
  void role_verifierGrantingWhatItDoesNotHold_refusedAsEscalation() {
    awaitPolicyEnforced();
    Role empty =
        new RoleBuilder()
            .withNewMetadata()
            .withName("empty")
            .withNamespace(TENANT)
            .endMetadata()
            .build();
    Role configMaps =
        new RoleBuilder()
            .withNewMetadata()
            .withName("configmaps")
            .withNamespace(TENANT)
            .endMetadata()
            .addNewRule()
            .withApiGroups("")
            .withResources("configmaps")
            .withVerbs("get")
            .endRule()
            .build();

    assertThat(verifier.resource(empty).create().getMetadata().getUid()).isNotBlank();
    assertThatThrownBy(() -> verifier.resource(configMaps).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
        .hasMessageContaining("not currently held");
  }

  @Test
  void role_verifierWritingIntoAnUnlabelledNamespace_refusedByAdmission() {
    awaitPolicyEnforced();
    Role role =
        new RoleBuilder()
            .withNewMetadata()
            .withName("tollgate-run")
            .withNamespace("kafka")
            .endMetadata()
            .build();

    assertThatThrownBy(() -> verifier.resource(role).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("namespace kafka is not one");
  }

  private static GenericKubernetesResource pipelineRun(String fixture, String name) {
    GenericKubernetesResource run =
        Kustomize.SERIALIZATION.convertValue(
            AdmissionPolicyTest.fixture(fixture), GenericKubernetesResource.class);
    run.getMetadata().setName(name);
    run.getMetadata().setNamespace(TENANT);
    return run;
  }

  private static void establish(CustomResourceDefinition crd) {
    admin.resource(crd).create();
    admin
        .resource(crd)
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            cond ->
                                "Established".equals(cond.getType())
                                    && "True".equals(cond.getStatus())),
            60,
            TimeUnit.SECONDS);
  }

  /** A new policy takes a moment to be compiled and enforced: probe with a dry-run create. */
  private static void awaitPolicyEnforced() {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    GenericKubernetesResource probe = pipelineRun("pipelinerun-tagged-bundle", "probe");
    while (Instant.now().isBefore(deadline)) {
      try {
        admin.resource(probe).dryRun().create();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 422 || e.getCode() == 403) {
          return;
        }
        throw e;
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("the ValidatingAdmissionPolicy was not enforced within 60 s");
  }
}
