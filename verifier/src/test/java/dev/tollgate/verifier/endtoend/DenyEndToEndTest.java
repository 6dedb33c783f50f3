package dev.tollgate.verifier.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.messaging.KafkaApprovalJournal;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.ClusterResource;
import dev.tollgate.verifier.testing.SignedBundles;
import dev.tollgate.verifier.testing.TestCluster;
import dev.tollgate.verifier.testing.TestEventKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The verifier service denying: bundle, step, sender, fork, approval, namespace and parameter rules
 * end to end; nothing runs.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = true)
class DenyEndToEndTest extends EndToEndTestBase {
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
  void onTrigger_unsignedBundle_deniedSignatureMissingAndNoRun() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", false);
    String repo = repo();
    policy("unsigned", repo, "team-unsigned", bundle.tagReference(), "enforce", "");

    DecisionEvent d = decide(push(repo, writer()));

    assertDenied(d, "SIGNATURE_MISSING");
    assertThat(d.reasons()).allSatisfy(r -> assertThat(r.remediation()).isNotBlank());
    assertThat(d.violations()).extracting(Reason::code).contains("SIGNATURE_MISSING");
    assertThat(d.verification().verdict()).isEqualTo(DecisionEvent.Verification.Verdict.DENIED);
    assertThat(d.verification().checks())
        .filteredOn(c -> c.code().equals("SIGNATURE_MISSING"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.outcome()).isEqualTo(DecisionEvent.CheckOutcome.FAILED);
              assertThat(c.remediation()).isNotBlank();
              assertThat(c.subject()).contains(bundle.digest().toString());
            });
    assertThat(d.namespace()).isNull();
    assertThat(runs("team-unsigned")).isEmpty();
  }

  @Test
  void onTrigger_policyPipelineNotInBundle_deniedResourceNotFoundAndNoRun() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("build", true);
    String repo = repo();
    policy("other-pipeline", repo, "team-other-pipeline", bundle.tagReference(), "enforce", "");

    DecisionEvent d = decide(push(repo, writer()));

    assertDenied(d, "RESOURCE_NOT_FOUND");
    assertThat(d.reasons())
        .filteredOn(r -> r.code().equals("RESOURCE_NOT_FOUND"))
        .singleElement()
        .satisfies(r -> assertThat(r.message()).contains("'release'").contains("build"));
    assertThat(runs("team-other-pipeline")).isEmpty();
  }

  @Test
  void onTrigger_privilegedStep_deniedPrivilegedWithTheStepAndNoRun() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true, true);
    String repo = repo();
    policy("privileged", repo, "team-privileged", bundle.tagReference(), "enforce", "");

    DecisionEvent d = decide(push(repo, writer()));

    assertDenied(d, "PRIVILEGED");
    assertThat(d.verification().checks())
        .filteredOn(c -> c.code().equals("PRIVILEGED"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.check()).isEqualTo("step.securityContext");
              assertThat(c.subject()).contains("step/run");
              assertThat(c.remediation()).isNotBlank();
            });
    assertThat(runs("team-privileged")).isEmpty();
  }

  @Test
  void onTrigger_forkPullRequestUnderDenyRule_deniedForkPullRequestDeniedAndNoRun()
      throws Exception {
    String repo = repo();
    Path file = cluster.policies().resolve("no-forks.yaml");
    written.add(file);
    Files.writeString(
        file,
        policyYaml(
                "no-forks",
                repo,
                "team-noforks",
                bundles.bundle("release", true).tagReference(),
                "enforce",
                "",
                "trust/trust.yaml")
            .replace(
                "    minPermission: write\n",
                "    minPermission: write\n    forkPullRequests: deny\n"));
    policies.reload();
    assertThat(names()).contains("no-forks");

    DecisionEvent approved = decide(okToTest(repo, 11, SHA_A));
    DecisionEvent d = decide(pullRequest(repo, 11, SHA_A));

    assertDenied(approved, "FORK_PULL_REQUEST_DENIED");
    assertDenied(d, "FORK_PULL_REQUEST_DENIED");
    assertThat(runs("team-noforks")).isEmpty();
  }

  @Test
  void onTrigger_twoPoliciesMatch_deniedPolicyAmbiguousAndNoRun() throws Exception {
    String repo = repo();
    String bundle = bundles.bundle("release", true).tagReference();
    policy("twin-a", repo, "team-twin", bundle, "enforce", "");
    policy("twin-b", repo, "team-twin", bundle, "audit", "");

    DecisionEvent d = decide(push(repo, writer()));

    assertDenied(d, DecisionReason.POLICY_AMBIGUOUS.code());
    assertThat(d.reasons().get(0).message()).contains("twin-a", "twin-b");
    assertThat(runs("team-twin")).isEmpty();
  }

  @Test
  void onTrigger_policyNamingDefaultNamespace_refusedAtLoadAndNothingRuns() throws Exception {
    String repo = repo();
    writePolicy(
        "to-default", repo, "default", bundles.bundle("release", true).tagReference(), "audit", "");

    assertThat(policies().reload()).isFalse();
    assertThat(policies().errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.field()).isEqualTo("spec.run.namespace");
              assertThat(e.why()).contains("never go to namespace 'default'");
            });
    assertThat(names()).doesNotContain("to-default");
    DecisionEvent d = decide(push(repo, writer()));

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
    assertThat(d.reasons()).extracting(r -> r.code()).containsExactly("NO_MATCHING_POLICY");
    assertThat(runs("default")).isEmpty();
  }

  @Test
  void onTrigger_unverifiedIdentity_deniedIdentityUnverified() throws Exception {
    String repo = repo();
    policy("unverified", repo, "team-unverified", "127.0.0.1:1/never/fetched:v1", "enforce", "");

    DecisionEvent d =
        decide(
            push(
                repo, TriggerEvent.Identity.unverified("MEMBER", false, "GITHUB_API_UNAVAILABLE")));

    assertDenied(d, "IDENTITY_UNVERIFIED");
    assertThat(d.reasons().get(0).message()).contains("GITHUB_API_UNAVAILABLE");
    assertThat(runs("team-unverified")).isEmpty();
  }

  @Test
  void onTrigger_readPermission_deniedPermissionInsufficient() throws Exception {
    String repo = repo();
    policy("reader", repo, "team-reader", "127.0.0.1:1/never/fetched:v1", "enforce", "");

    DecisionEvent d =
        decide(
            push(
                repo,
                TriggerEvent.Identity.verified(
                    "CONTRIBUTOR", false, TriggerEvent.Permission.READ)));

    assertDenied(d, "PERMISSION_INSUFFICIENT");
    assertThat(runs("team-reader")).isEmpty();
  }

  @Test
  void onTrigger_noIdentity_deniedIdentityUnavailable() throws Exception {
    String repo = repo();
    policy("no-identity", repo, "team-noid", "127.0.0.1:1/never/fetched:v1", "enforce", "");

    DecisionEvent d = decide(push(repo, null));

    assertDenied(d, "IDENTITY_UNAVAILABLE");
    assertThat(runs("team-noid")).isEmpty();
  }

  @Test
  void onTrigger_forkPullRequestWithoutApproval_deniedForkNotApproved() throws Exception {
    String repo = repo();
    policy("fork", repo, "team-fork", "127.0.0.1:1/never/fetched:v1", "enforce", "");

    DecisionEvent d = decide(pullRequest(repo, 7, SHA_A));

    assertDenied(d, "FORK_NOT_APPROVED");
    assertThat(runs("team-fork")).isEmpty();
  }

  @Test
  void onTrigger_forkPullRequestApprovedAtOlderSha_deniedApprovalStale() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("stale", repo, "team-stale", bundle.tagReference(), "enforce", "");

    DecisionEvent approved = decide(okToTest(repo, 8, SHA_A));
    DecisionEvent later = decide(pullRequest(repo, 8, SHA_B));

    assertThat(approved.outcome())
        .as(approved.reasons().toString())
        .isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertDenied(later, "APPROVAL_STALE");
    assertThat(later.reasons().get(0).message()).contains(SHA_A, SHA_B);
    assertThat(runs("team-stale")).hasSize(1);
  }

  @Test
  void onTrigger_parameterFieldMissing_deniedParamUnbound() throws Exception {
    String repo = repo();
    policy(
        "unbound",
        repo,
        "team-unbound",
        "127.0.0.1:1/never/fetched:v1",
        "enforce",
        "      missing: $(body.no.such.field)\n");

    DecisionEvent d = decide(push(repo, writer()));

    assertDenied(d, "PARAM_UNBOUND");
    assertThat(d.reasons().get(0).message()).contains("$(body.no.such.field)");
    assertThat(runs("team-unbound")).isEmpty();
  }

  @Test
  void onTrigger_forkPullRequestApprovedByOtherReplica_admittedAtThatSha() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("replica", repo, "team-replica", bundle.tagReference(), "enforce", "");
    // The other replica decided the /ok-to-test: it wrote the approval, this one never saw it.
    try (var other =
        new KafkaApprovalJournal(
            kafka.bootstrapServers(),
            "tollgate.approvals.v1",
            Duration.ofSeconds(10),
            TestEventKeys.keys())) {
      other.write(repo + "#9", SHA_A);
    }

    DecisionEvent approved = decide(pullRequest(repo, 9, SHA_A));
    DecisionEvent unapproved = decide(pullRequest(repo, 10, SHA_A));

    assertThat(approved.outcome())
        .as(approved.reasons().toString())
        .isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertDenied(unapproved, "FORK_NOT_APPROVED");
    assertThat(runs("team-replica")).hasSize(1);
  }
}
