package dev.tollgate.verifier.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.testing.ClusterResource;
import dev.tollgate.verifier.testing.SignedBundles;
import dev.tollgate.verifier.testing.TestCluster;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The verifier service taking policy changes: the watched ConfigMap and the policy directory, an
 * invalid change refused with file, field and why while the previous set stays.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = true)
class PolicyReloadEndToEndTest extends EndToEndTestBase {
  EmbeddedKafka kafka;
  TestCluster cluster;
  @Inject PolicySet policies;

  @Override
  EmbeddedKafka kafka() {
    return kafka;
  }

  @Override
  TestCluster cluster() {
    return cluster;
  }

  @Override
  PolicySet policies() {
    return policies;
  }

  @Test
  void configMap_policiesAddedThenBroken_takenThenOldSetKeptWithError() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    String yaml =
        policyYaml(
            "from-cm", repo, "team-cm", bundle.tagReference(), "enforce", "", "trust/trust.yaml");
    configMap(Map.of("release.yaml", yaml, "README.md", "not a policy"));
    await().atMost(Duration.ofSeconds(30)).until(() -> names().contains("from-cm"));

    DecisionEvent admitted = decide(push(repo, writer()));
    configMap(Map.of("release.yaml", yaml.replace("  mode: enforce", "  moed: enforce")));
    await().atMost(Duration.ofSeconds(30)).until(() -> !policies.errors().isEmpty());
    DecisionEvent stillAdmitted = decide(push(repo, writer()));
    configMap(Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> !names().contains("from-cm"));
    DecisionEvent ignored = decide(push(repo, writer()));

    assertThat(admitted.outcome())
        .as(admitted.reasons().toString())
        .isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(admitted.policy().name()).isEqualTo("from-cm");
    assertThat(stillAdmitted.outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(stillAdmitted.policy()).isEqualTo(admitted.policy());
    assertThat(ignored.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
    assertThat(runs("team-cm")).hasSize(2);
  }

  @Test
  void configMap_brokenPolicy_errorNamesConfigMapKeyAndField() throws Exception {
    String repo = repo();
    String yaml =
        policyYaml(
                "cm-broken",
                repo,
                "team-cmb",
                "127.0.0.1:1/never/fetched:v1",
                "enforce",
                "",
                "trust/trust.yaml")
            .replace("  mode: enforce", "  moed: enforce");
    configMap(Map.of("broken.yaml", yaml));

    await().atMost(Duration.ofSeconds(30)).until(() -> !policies.errors().isEmpty());

    assertThat(policies.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.file())
                  .isEqualTo(
                      "configmap/"
                          + ClusterResource.CONFIG_MAP_NAMESPACE
                          + "/"
                          + ClusterResource.CONFIG_MAP
                          + ":broken.yaml");
              assertThat(e.field()).isEqualTo("spec.moed");
            });
    assertThat(names()).doesNotContain("cm-broken");
    io.restassured.RestAssured.get("/q/health/ready")
        .then()
        .body(org.hamcrest.Matchers.containsString(ClusterResource.CONFIG_MAP + ":broken.yaml"));
    configMap(Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> policies.errors().isEmpty());
  }

  @Test
  void reload_policyFileAdded_takesEffectWithoutRestart() throws Exception {
    String repo = repo();
    DecisionEvent before = decide(push(repo, writer()));
    Path file = writePolicy("hot", repo, "team-hot", "127.0.0.1:1/never/fetched:v1", "enforce", "");

    await().atMost(Duration.ofSeconds(10)).until(() -> names().contains("hot"));
    DecisionEvent after = decide(push(repo, null));

    assertThat(file).exists();
    assertThat(before.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
    assertThat(before.reasons()).extracting(Reason::code).containsExactly("NO_MATCHING_POLICY");
    assertDenied(after, "IDENTITY_UNAVAILABLE");
    assertThat(after.policy().name()).isEqualTo("hot");
  }

  @Test
  void reload_brokenPolicyFile_keepsPreviousSetAndSaysWhy() throws Exception {
    String repo = repo();
    policy("kept", repo, "team-kept", "127.0.0.1:1/never/fetched:v1", "enforce", "");
    Path broken = cluster.policies().resolve("broken.yaml");
    written.add(broken);
    Files.writeString(
        broken,
        "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: broken}\n"
            + "spec:\n  match: {repositories: [x/y]}\n  run: {bundle: b, pipeline: p, namespace: n}\n"
            + "  trust: {policyFile: trust/trust.yaml}\n  moed: audit\n");

    boolean taken = policies.reload();
    DecisionEvent d = decide(push(repo, null));

    assertThat(taken).isFalse();
    assertThat(names()).contains("kept").doesNotContain("broken");
    assertThat(policies.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.file()).endsWith("broken.yaml");
              assertThat(e.field()).isEqualTo("spec.moed");
              assertThat(e.why()).contains("unknown key");
            });
    assertDenied(d, "IDENTITY_UNAVAILABLE");
    io.restassured.RestAssured.get("/q/health/ready")
        .then()
        .body(
            org.hamcrest.Matchers.containsString("spec.moed: unknown key"),
            org.hamcrest.Matchers.containsString("broken.yaml"));
  }
}
