package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.manifests.AdmissionPolicies.Verdict;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admission wall on Pods in tenant namespaces, evaluated on the rendered
 * ValidatingAdmissionPolicy and Kyverno ClusterPolicy: every container, init container and
 * ephemeral container image pinned by digest, so the kubelet can only pull what was verified
 * (fixtures under src/test/resources/admission, one per failure mode).
 */
class TenantPodAdmissionTest {

  /** The label the verifier puts on the namespaces it creates, and administrators on theirs. */
  private static final Map<String, String> TENANT =
      Map.of(
          "app.kubernetes.io/managed-by", "tollgate", "kubernetes.io/metadata.name", "team-acme");

  private static final String TEKTON =
      "system:serviceaccount:tekton-pipelines:tekton-pipelines-controller";

  static Stream<String> walls() {
    return AdmissionPolicyTest.walls();
  }

  private static AdmissionPolicies policies(String wall) {
    return AdmissionPolicies.of(Kustomize.render(wall));
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pod_everyImagePinnedInTenantNamespace_admitted(String wall) {
    Verdict verdict =
        policies(wall)
            .admit(
                "CREATE", "pods", TEKTON, AdmissionPolicyTest.fixture("pod-pinned"), null, TENANT);

    assertThat(verdict.messages()).isEmpty();
    assertThat(verdict.allowed()).isTrue();
  }

  static Stream<Arguments> unpinned() {
    return walls()
        .flatMap(
            wall ->
                Stream.of(
                    Arguments.of(
                        wall,
                        "pod-step-by-tag",
                        "containers",
                        "step-build=registry.example/acme/builder:v1"),
                    Arguments.of(
                        wall,
                        "pod-init-by-tag",
                        "initContainers",
                        "place-scripts=cgr.dev/chainguard/busybox:latest"),
                    Arguments.of(wall, "pod-short-digest", "containers", "step-build="),
                    Arguments.of(wall, "pod-digest-in-tag-position", "containers", "step-build="),
                    Arguments.of(
                        wall, "pod-container-without-image", "containers", "step-build=(none)")));
  }

  @ParameterizedTest
  @MethodSource("unpinned")
  void pod_imageNotPinnedByDigestInTenantNamespace_deniedNamingTheContainer(
      String wall, String fixture, String field, String offender) {
    Verdict verdict =
        policies(wall)
            .admit("CREATE", "pods", TEKTON, AdmissionPolicyTest.fixture(fixture), null, TENANT);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages())
        .singleElement()
        .asString()
        .startsWith(wall.endsWith("kyverno") ? "tollgate-tenant-pods/" : "tollgate-tenant-pods: ")
        .contains(field + " of Pods in tenant namespaces pull images pinned by digest")
        .contains("not pinned: " + offender)
        .doesNotContain("evaluation error");
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pod_ephemeralContainerByTagAddedToRunningPod_denied(String wall) {
    Verdict verdict =
        policies(wall)
            .admit(
                "UPDATE",
                "pods/ephemeralcontainers",
                "kubernetes-admin",
                AdmissionPolicyTest.fixture("pod-ephemeral-by-tag"),
                AdmissionPolicyTest.fixture("pod-pinned"),
                TENANT);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages())
        .singleElement()
        .asString()
        .contains("ephemeralContainers of Pods", "debugger=busybox");
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pod_imageUpdatedToATagOnARunningPod_denied(String wall) {
    Verdict verdict =
        policies(wall)
            .admit(
                "UPDATE",
                "pods",
                "kubernetes-admin",
                AdmissionPolicyTest.fixture("pod-step-by-tag"),
                AdmissionPolicyTest.fixture("pod-pinned"),
                TENANT);

    assertThat(verdict.allowed()).isFalse();
  }

  static Stream<Arguments> notTenants() {
    return walls()
        .flatMap(
            wall ->
                Stream.of(
                        Map.<String, String>of(),
                        Map.of("app.kubernetes.io/managed-by", "Helm"),
                        Map.of("kubernetes.io/metadata.name", "kube-system"))
                    .map(labels -> Arguments.of(wall, labels)));
  }

  @ParameterizedTest
  @MethodSource("notTenants")
  void pod_outsideTenantNamespaces_notMatched(String wall, Map<String, String> labels) {
    assertThat(policies(wall).matching("CREATE", "pods", labels)).isEmpty();
    assertThat(policies(wall).matching("CREATE", "pods", TENANT)).hasSize(1);
  }
}
