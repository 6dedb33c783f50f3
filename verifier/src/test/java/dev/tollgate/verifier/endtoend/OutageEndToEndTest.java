package dev.tollgate.verifier.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.ClusterResource;
import dev.tollgate.verifier.testing.SignedBundles;
import dev.tollgate.verifier.testing.TestCluster;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The verifier service when the registry or the API server fails: bounded retries, an error
 * decision and no run, nothing cached, and admission once they are back.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = true)
class OutageEndToEndTest extends EndToEndTestBase {
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
  void onTrigger_registryUnreachable_errorAndNoRun() throws Exception {
    String repo = repo();
    policy("no-registry", repo, "team-noreg", "127.0.0.1:1/acme/bundle:v1", "enforce", "");

    DecisionEvent d = decide(push(repo, writer()));

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(d.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.REGISTRY_UNAVAILABLE.code());
    assertThat(d.verification().verdict())
        .isEqualTo(DecisionEvent.Verification.Verdict.TRANSIENT_ERROR);
    assertThat(runs("team-noreg")).isEmpty();
  }

  @Test
  void onTrigger_registryOutageThenBack_errorNothingCachedThenAdmitted() throws Exception {
    SignedBundles spareBundles = spareBundles();
    SignedBundles.Pushed bundle = spareBundles.bundle("release", true);
    String repo = repo();
    writePolicy(
        "outage",
        repo,
        "team-outage",
        bundle.tagReference(),
        "enforce",
        "",
        "trust-spare/trust.yaml");
    policies.reload();
    assertThat(names()).contains("outage");

    cluster.spare().close();
    DecisionEvent during;
    try {
      during = decide(push(repo, writer()));
    } finally {
      cluster.spare().restart();
    }
    DecisionEvent after = decide(push(repo, writer()));

    assertThat(during.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(during.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.REGISTRY_UNAVAILABLE.code());
    assertThat(during.pipelineRun()).isNull();
    assertThat(after.outcome())
        .as(after.reasons().toString())
        .isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(after.verification().cached()).isFalse();
    assertThat(after.violations()).isEmpty();
    assertThat(runs("team-outage")).hasSize(1);
  }

  @Test
  void onTrigger_apiServerAnswers503ThenRecovers_admittedOnce() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("flaky", repo, "team-flaky", bundle.tagReference(), "enforce", "");
    cluster.api().failPipelineRunCreates("team-flaky", 2);

    DecisionEvent d = decide(push(repo, writer()));

    assertThat(d.outcome()).as(d.reasons().toString()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(cluster.api().pipelineRunCreates("team-flaky")).isEqualTo(3);
    assertThat(runs("team-flaky"))
        .extracting(r -> r.getMetadata().getName())
        .containsExactly(d.pipelineRun().name());
  }

  @Test
  void onTrigger_apiServerNeverRecovers_errorClusterUnavailableAndNoRun() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("down", repo, "team-down", bundle.tagReference(), "enforce", "");
    cluster.api().failPipelineRunCreates("team-down", Integer.MAX_VALUE);

    DecisionEvent d = decide(push(repo, writer()));

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(d.pipelineRun()).isNull();
    assertThat(d.reasons())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.code()).isEqualTo(DecisionReason.CLUSTER_UNAVAILABLE.code());
              assertThat(r.message()).contains("HTTP 503", "4 attempts");
            });
    assertThat(cluster.api().pipelineRunCreates("team-down")).isEqualTo(4);
    assertThat(runs("team-down")).isEmpty();
  }
}
