package dev.tollgate.deploy.manifests;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import java.util.List;
import java.util.Locale;

/**
 * Minimal CustomResourceDefinitions (schema: any object) for the kinds the manifests use but
 * Kubernetes does not ship. Enough for an API server to store them; the operators' own CRDs
 * validate more.
 */
final class Crds {

  private Crds() {}

  /** Strimzi, Prometheus Operator and Kyverno kinds. */
  static List<CustomResourceDefinition> operators() {
    return List.of(
        crd("kafka.strimzi.io", "v1beta2", "KafkaTopic", "kafkatopics", "Namespaced"),
        crd("kafka.strimzi.io", "v1beta2", "KafkaUser", "kafkausers", "Namespaced"),
        crd("monitoring.coreos.com", "v1", "PrometheusRule", "prometheusrules", "Namespaced"),
        crd("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", "Namespaced"),
        crd("kyverno.io", "v1", "ClusterPolicy", "clusterpolicies", "Cluster"));
  }

  /** Tekton's PipelineRun and TaskRun, v1, schema-less, as far as admission is concerned. */
  static List<CustomResourceDefinition> tekton() {
    return List.of(
        crd("tekton.dev", "v1", "PipelineRun", "pipelineruns", "Namespaced"),
        crd("tekton.dev", "v1", "TaskRun", "taskruns", "Namespaced"));
  }

  static CustomResourceDefinition crd(
      String group, String version, String kind, String plural, String scope) {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName(plural + "." + group)
        .endMetadata()
        .withNewSpec()
        .withGroup(group)
        .withScope(scope)
        .withNewNames()
        .withKind(kind)
        .withPlural(plural)
        .withSingular(kind.toLowerCase(Locale.ROOT))
        .endNames()
        .addNewVersion()
        .withName(version)
        .withServed(true)
        .withStorage(true)
        .withNewSubresources()
        .withNewStatus()
        .endStatus()
        .endSubresources()
        .withNewSchema()
        .withNewOpenAPIV3Schema()
        .withType("object")
        .withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema()
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }
}
