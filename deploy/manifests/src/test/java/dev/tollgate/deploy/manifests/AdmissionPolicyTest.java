package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.manifests.AdmissionPolicies.Validation;
import dev.tollgate.deploy.manifests.AdmissionPolicies.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The second wall, evaluated: the CEL of the rendered ValidatingAdmissionPolicies and of the
 * Kyverno alternative, against allowed and denied PipelineRuns and TaskRuns (fixtures under
 * src/test/resources/admission, one per failure mode).
 */
class AdmissionPolicyTest {

  private static final String VERIFIER = "system:serviceaccount:tollgate-system:tollgate-verifier";
  private static final String TEKTON =
      "system:serviceaccount:tekton-pipelines:tekton-pipelines-controller";
  private static final String ADMIN = "kubernetes-admin";

  static Stream<String> walls() {
    return Stream.of("policies/admission", "policies/kyverno");
  }

  private static AdmissionPolicies policies(String wall) {
    return AdmissionPolicies.of(Kustomize.render(wall));
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pipelineRun_verifierWithDigestPinnedBundle_admitted(String wall) {
    Verdict verdict =
        policies(wall)
            .admit("CREATE", "pipelineruns", VERIFIER, fixture("pipelinerun-pinned-bundle"), null);

    assertThat(verdict.messages()).isEmpty();
    assertThat(verdict.allowed()).isTrue();
  }

  static Stream<Arguments> otherCreators() {
    return walls()
        .flatMap(
            wall ->
                Stream.of(
                        ADMIN,
                        TEKTON,
                        "system:serviceaccount:tollgate-system:tollgate-ledger",
                        "system:serviceaccount:tenant-acme:default",
                        "system:serviceaccount:tollgate-system:tollgate-verifier-x")
                    .map(user -> Arguments.of(wall, user)));
  }

  @ParameterizedTest
  @MethodSource("otherCreators")
  void pipelineRun_createdByAnyoneButTheVerifier_denied(String wall, String user) {
    Verdict verdict =
        policies(wall)
            .admit("CREATE", "pipelineruns", user, fixture("pipelinerun-pinned-bundle"), null);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages()).singleElement().asString().contains("not by " + user);
  }

  static Stream<Arguments> unpinnedRefs() {
    return walls()
        .flatMap(
            wall ->
                Stream.of(
                        "pipelinerun-tagged-bundle",
                        "pipelinerun-short-digest",
                        "pipelinerun-legacy-bundle-field",
                        "pipelinerun-git-resolver",
                        "pipelinerun-inline-spec",
                        "pipelinerun-ref-and-inline-spec",
                        "pipelinerun-two-bundle-params",
                        "pipelinerun-array-bundle-param")
                    .map(fixture -> Arguments.of(wall, fixture)));
  }

  @ParameterizedTest
  @MethodSource("unpinnedRefs")
  void pipelineRun_notADigestPinnedBundlesRef_denied(String wall, String fixture) {
    Verdict verdict =
        policies(wall).admit("CREATE", "pipelineruns", VERIFIER, fixture(fixture), null);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages())
        .singleElement()
        .asString()
        .contains("resolver: bundles")
        .doesNotContain("evaluation error");
  }

  static Stream<Arguments> systemNamespaces() {
    return walls()
        .flatMap(
            wall ->
                Stream.of("default", "kube-system", "kube-public", "tollgate-system")
                    .map(namespace -> Arguments.of(wall, namespace)));
  }

  @ParameterizedTest
  @MethodSource("systemNamespaces")
  void pipelineRun_inDefaultOrSystemNamespace_denied(String wall, String namespace) {
    Map<String, Object> run = inNamespace(fixture("pipelinerun-pinned-bundle"), namespace);

    Verdict verdict = policies(wall).admit("CREATE", "pipelineruns", VERIFIER, run, null, Map.of());

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages())
        .hasSize(2)
        .anySatisfy(m -> assertThat(m).contains("do not run in namespace " + namespace + ":"))
        .anySatisfy(m -> assertThat(m).contains("namespace " + namespace + " is not one"));
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pipelineRun_tenantNamespaceNamedLikeSystem_admitted(String wall) {
    Map<String, Object> run = inNamespace(fixture("pipelinerun-pinned-bundle"), "tenant-kube-x");

    assertThat(policies(wall).admit("CREATE", "pipelineruns", VERIFIER, run, null).allowed())
        .isTrue();
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pipelineRun_updatedByTektonKeepingThePinnedRef_admitted(String wall) {
    Map<String, Object> run = fixture("pipelinerun-pinned-bundle");

    Verdict verdict = policies(wall).admit("UPDATE", "pipelineruns", TEKTON, run, run);

    assertThat(verdict.messages()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pipelineRun_updatedToAnUnpinnedRef_denied(String wall) {
    Verdict verdict =
        policies(wall)
            .admit(
                "UPDATE",
                "pipelineruns",
                ADMIN,
                fixture("pipelinerun-tagged-bundle"),
                fixture("pipelinerun-pinned-bundle"));

    assertThat(verdict.allowed()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pipelineRun_updatedToAnotherPinnedBundle_denied(String wall) {
    Map<String, Object> admitted = fixture("pipelinerun-pinned-bundle");
    Map<String, Object> swapped =
        withSpec(
            admitted,
            "pipelineRef",
            Map.of(
                "resolver",
                "bundles",
                "params",
                List.of(
                    Map.of(
                        "name",
                        "bundle",
                        "value",
                        "ghcr.io/evil/pipelines@sha256:" + "f".repeat(64)),
                    Map.of("name", "name", "value", "build"),
                    Map.of("name", "kind", "value", "pipeline"))));

    Verdict verdict = policies(wall).admit("UPDATE", "pipelineruns", ADMIN, swapped, admitted);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages())
        .singleElement()
        .asString()
        .contains("is fixed when Tollgate admits it")
        .doesNotContain("evaluation error");
  }

  static Stream<Arguments> swappedFields() {
    return walls()
        .flatMap(
            wall ->
                Stream.of(
                    Arguments.of(
                        wall, "params", List.of(Map.of("name", "revision", "value", "evil"))),
                    Arguments.of(
                        wall, "taskRunTemplate", Map.of("serviceAccountName", "builder-admin")),
                    Arguments.of(
                        wall,
                        "workspaces",
                        List.of(Map.of("name", "source", "emptyDir", Map.of()))),
                    Arguments.of(
                        wall,
                        "taskRunSpecs",
                        List.of(
                            Map.of("pipelineTaskName", "build", "serviceAccountName", "admin")))));
  }

  @ParameterizedTest
  @MethodSource("swappedFields")
  void pipelineRun_updateAddingOrChangingWhatRuns_denied(String wall, String field, Object value) {
    Map<String, Object> admitted = fixture("pipelinerun-pinned-bundle");

    Verdict verdict =
        policies(wall)
            .admit("UPDATE", "pipelineruns", TEKTON, withSpec(admitted, field, value), admitted);

    assertThat(verdict.allowed()).as(field).isFalse();
    assertThat(verdict.messages()).singleElement().asString().contains("is fixed when Tollgate");
  }

  @ParameterizedTest
  @MethodSource("walls")
  void pipelineRun_cancelledThroughSpecStatus_admitted(String wall) {
    Map<String, Object> admitted = fixture("pipelinerun-pinned-bundle");

    Verdict verdict =
        policies(wall)
            .admit(
                "UPDATE",
                "pipelineruns",
                ADMIN,
                withSpec(admitted, "status", "Cancelled"),
                admitted);

    assertThat(verdict.messages()).isEmpty();
  }

  static Stream<Arguments> taskRunCreators() {
    return walls()
        .flatMap(wall -> Stream.of(ADMIN, VERIFIER, TEKTON).map(user -> Arguments.of(wall, user)));
  }

  @ParameterizedTest
  @MethodSource("taskRunCreators")
  void taskRun_createdDirectly_denied(String wall, String user) {
    Verdict verdict =
        policies(wall).admit("CREATE", "taskruns", user, fixture("taskrun-standalone"), null);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages()).singleElement().asString().contains("refused for " + user);
  }

  @ParameterizedTest
  @MethodSource("walls")
  void taskRun_ownedByAPipelineRunButNotFromTekton_denied(String wall) {
    Verdict verdict =
        policies(wall)
            .admit("CREATE", "taskruns", VERIFIER, fixture("taskrun-owned-by-pipelinerun"), null);

    assertThat(verdict.allowed()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("walls")
  void taskRun_createdByTektonForAPipelineRun_admitted(String wall) {
    Verdict verdict =
        policies(wall)
            .admit("CREATE", "taskruns", TEKTON, fixture("taskrun-owned-by-pipelinerun"), null);

    assertThat(verdict.messages()).isEmpty();
  }

  @Test
  void policies_kyvernoAlternative_evaluatesTheSameExpressions() {
    List<String> vap = expressions(policies("policies/admission"));
    List<String> kyverno = expressions(policies("policies/kyverno"));

    assertThat(vap).hasSize(10);
    assertThat(kyverno).containsExactlyInAnyOrderElementsOf(vap);
  }

  @Test
  void policies_everyValidatingAdmissionPolicy_isBoundToDeny() {
    Kustomize.Rendered rendered = Kustomize.render("policies/admission");
    List<Map<String, Object>> bindings = rendered.ofKind("ValidatingAdmissionPolicyBinding");

    for (Map<String, Object> policy : rendered.ofKind("ValidatingAdmissionPolicy")) {
      String name = (String) ((Map<?, ?>) policy.get("metadata")).get("name");
      assertThat(((Map<?, ?>) policy.get("spec")).get("failurePolicy")).isEqualTo("Fail");
      assertThat(bindings)
          .anyMatch(
              b -> {
                Map<?, ?> spec = (Map<?, ?>) b.get("spec");
                return name.equals(spec.get("policyName"))
                    && ((List<?>) spec.get("validationActions")).contains("Deny");
              });
    }
    for (Map<String, Object> policy :
        Kustomize.render("policies/kyverno").ofKind("ClusterPolicy")) {
      assertThat(((Map<?, ?>) policy.get("spec")).get("validationFailureAction"))
          .isEqualTo("Enforce");
    }
  }

  private static List<String> expressions(AdmissionPolicies policies) {
    return policies.policies().stream()
        .flatMap(p -> p.rules().stream())
        .map(Validation::expression)
        .toList();
  }

  private static Map<String, Object> inNamespace(Map<String, Object> object, String namespace) {
    Map<String, Object> copy = new LinkedHashMap<>(object);
    // A parsed YAML mapping: string keys, values of any of the parser's types.
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata =
        new LinkedHashMap<>((Map<String, Object>) object.get("metadata"));
    metadata.put("namespace", namespace);
    copy.put("metadata", metadata);
    return copy;
  }

  private static Map<String, Object> withSpec(
      Map<String, Object> object, String field, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(object);
    // A parsed YAML mapping: string keys, values of any of the parser's types.
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) object.get("spec"));
    spec.put(field, value);
    copy.put("spec", spec);
    return copy;
  }

  // A fixture is a YAML mapping at its top: string keys, values of any of the parser's types.
  @SuppressWarnings("unchecked")
  static Map<String, Object> fixture(String name) {
    try (InputStream in =
        AdmissionPolicyTest.class.getResourceAsStream("/admission/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture admission/" + name + ".yaml");
      }
      return Kustomize.SERIALIZATION.unmarshal(in, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
