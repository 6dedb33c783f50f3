package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.manifests.AdmissionPolicies.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The API server's half of "the verifier touches only namespaces it created or that an
 * administrator labelled for it", evaluated on the rendered ValidatingAdmissionPolicy and Kyverno
 * ClusterPolicy: it creates only labelled, restricted namespaces, never updates one, and writes
 * namespaced objects only into labelled namespaces; nobody else is concerned.
 */
class VerifierWritesAdmissionTest {

  private static final String VERIFIER = "system:serviceaccount:tollgate-system:tollgate-verifier";
  private static final String ADMIN = "kubernetes-admin";
  private static final Map<String, String> RESTRICTED_TENANT =
      Map.of(
          "app.kubernetes.io/managed-by", "tollgate",
          "pod-security.kubernetes.io/enforce", "restricted");

  static Stream<String> walls() {
    return AdmissionPolicyTest.walls();
  }

  private static AdmissionPolicies policies(String wall) {
    return AdmissionPolicies.of(Kustomize.render(wall));
  }

  @ParameterizedTest
  @MethodSource("walls")
  void namespace_createdByTheVerifierLabelledAndRestricted_admitted(String wall) {
    Verdict verdict =
        policies(wall)
            .admit(
                "CREATE",
                "namespaces",
                VERIFIER,
                object("Namespace", "team-new", null, RESTRICTED_TENANT),
                null);

    assertThat(verdict.messages()).isEmpty();
  }

  static Stream<Arguments> refusedNamespaces() {
    return walls()
        .flatMap(
            wall ->
                Stream.of(
                        Map.<String, String>of(),
                        Map.of("app.kubernetes.io/managed-by", "tollgate"),
                        Map.of(
                            "app.kubernetes.io/managed-by", "tollgate",
                            "pod-security.kubernetes.io/enforce", "privileged"),
                        Map.of("pod-security.kubernetes.io/enforce", "restricted"))
                    .map(labels -> Arguments.of(wall, labels)));
  }

  @ParameterizedTest
  @MethodSource("refusedNamespaces")
  void namespace_createdByTheVerifierWithoutTenantLabels_denied(
      String wall, Map<String, String> labels) {
    Verdict verdict =
        policies(wall)
            .admit(
                "CREATE",
                "namespaces",
                VERIFIER,
                object("Namespace", "team-x", null, labels),
                null);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages())
        .singleElement()
        .asString()
        .contains("CREATE of namespace team-x refused")
        .doesNotContain("evaluation error");
  }

  @ParameterizedTest
  @MethodSource("walls")
  void namespace_updatedByTheVerifierEvenToTenantLabels_denied(String wall) {
    Map<String, Object> old = object("Namespace", "kafka", null, Map.of());

    Verdict verdict =
        policies(wall)
            .admit(
                "UPDATE",
                "namespaces",
                VERIFIER,
                object("Namespace", "kafka", null, RESTRICTED_TENANT),
                old);

    assertThat(verdict.allowed()).isFalse();
    assertThat(verdict.messages()).singleElement().asString().contains("never changes one");
  }

  @ParameterizedTest
  @MethodSource("walls")
  void namespace_createdOrLabelledByAnAdministrator_admitted(String wall) {
    AdmissionPolicies policies = policies(wall);

    assertThat(
            policies
                .admit(
                    "CREATE",
                    "namespaces",
                    ADMIN,
                    object("Namespace", "team-y", null, Map.of()),
                    null)
                .messages())
        .isEmpty();
    assertThat(
            policies
                .admit(
                    "UPDATE",
                    "namespaces",
                    ADMIN,
                    object("Namespace", "team-y", null, RESTRICTED_TENANT),
                    object("Namespace", "team-y", null, Map.of()))
                .messages())
        .isEmpty();
  }

  static Stream<Arguments> namespacedWrites() {
    return walls()
        .flatMap(
            wall ->
                Stream.of(
                    Arguments.of(wall, "roles", "Role"),
                    Arguments.of(wall, "rolebindings", "RoleBinding"),
                    Arguments.of(wall, "serviceaccounts", "ServiceAccount"),
                    Arguments.of(wall, "networkpolicies", "NetworkPolicy"),
                    Arguments.of(wall, "persistentvolumeclaims", "PersistentVolumeClaim"),
                    Arguments.of(wall, "resourcequotas", "ResourceQuota"),
                    Arguments.of(wall, "limitranges", "LimitRange"),
                    Arguments.of(wall, "secrets", "Secret")));
  }

  @ParameterizedTest
  @MethodSource("namespacedWrites")
  void write_byTheVerifierIntoATenantNamespace_admitted(String wall, String resource, String kind) {
    Verdict verdict =
        policies(wall)
            .admit(
                "CREATE",
                resource,
                VERIFIER,
                object(kind, "tollgate-run", "team-acme", Map.of()),
                null,
                Map.of("app.kubernetes.io/managed-by", "tollgate"));

    assertThat(verdict.messages()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("namespacedWrites")
  void write_byTheVerifierIntoAnUnlabelledNamespace_denied(
      String wall, String resource, String kind) {
    for (String namespace : new String[] {"kube-system", "kafka", "team-foreign"}) {
      for (String operation : new String[] {"CREATE", "UPDATE"}) {
        Map<String, Object> written = object(kind, "tollgate-run", namespace, Map.of());
        Verdict verdict =
            policies(wall)
                .admit(
                    operation,
                    resource,
                    VERIFIER,
                    written,
                    operation.equals("UPDATE") ? written : null,
                    Map.of("kubernetes.io/metadata.name", namespace));

        assertThat(verdict.allowed()).as("%s %s in %s", operation, resource, namespace).isFalse();
        assertThat(verdict.messages())
            .singleElement()
            .asString()
            .contains("namespace " + namespace + " is not one");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("namespacedWrites")
  void write_bySomeoneElseIntoAnUnlabelledNamespace_notConcerned(
      String wall, String resource, String kind) {
    Verdict verdict =
        policies(wall)
            .admit(
                "CREATE",
                resource,
                ADMIN,
                object(kind, "x", "team-foreign", Map.of()),
                null,
                Map.of());

    assertThat(verdict.messages()).isEmpty();
  }

  private static Map<String, Object> object(
      String kind, String name, String namespace, Map<String, String> labels) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    if (namespace != null) {
      metadata.put("namespace", namespace);
    }
    metadata.put("labels", labels);
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("apiVersion", "v1");
    object.put("kind", kind);
    object.put("metadata", metadata);
    return object;
  }
}
