package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.manifests.Kustomize.Rendered;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rendered manifests apply cleanly to an API server: fabric8's mock server in CRUD mode, with
 * the CustomResourceDefinitions of the operators they build on (Strimzi, Prometheus Operator,
 * Kyverno), and every object reads back as it was written.
 */
@EnableKubernetesMockClient(crud = true)
class MockApiServerTest {

  static KubernetesClient client;

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/release", "overlays/kyverno"})
  void apply_renderedKustomization_createsEveryObject(String kustomization) {
    Rendered rendered = Kustomize.render(kustomization);
    installCrds();

    for (HasMetadata object : rendered.objects()) {
      client.resource(object).createOr(existing -> existing.update());
    }

    for (HasMetadata object : rendered.objects()) {
      HasMetadata stored = client.resource(object).get();
      assertThat(stored).as("%s %s", object.getKind(), object.getMetadata().getName()).isNotNull();
      assertThat(stored.getMetadata().getNamespace())
          .isEqualTo(object.getMetadata().getNamespace());
      assertThat(stored.getMetadata().getLabels()).isEqualTo(object.getMetadata().getLabels());
      if (object instanceof GenericKubernetesResource) {
        assertThat(((GenericKubernetesResource) stored).getAdditionalProperties().get("spec"))
            .isEqualTo(((GenericKubernetesResource) object).getAdditionalProperties().get("spec"));
      }
    }
    assertThat(
            client.apps().deployments().inNamespace("tollgate-system").list().getItems().stream()
                .map(d -> d.getMetadata().getName()))
        .containsExactlyInAnyOrder("tollgate-gateway", "tollgate-verifier", "tollgate-ledger");
  }

  private static void installCrds() {
    for (CustomResourceDefinition crd : Crds.operators()) {
      client.resource(crd).createOr(existing -> existing.update());
    }
  }
}
