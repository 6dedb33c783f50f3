package dev.tollgate.verifier.endtoend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.decide.Decider;
import dev.tollgate.verifier.launch.PipelineRun;
import dev.tollgate.verifier.launch.PipelineRuns;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.ClusterResource;
import dev.tollgate.verifier.testing.SignedBundles;
import dev.tollgate.verifier.testing.TestCluster;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The verifier service admitting: one run pinned by digest in a provisioned namespace, no second
 * run on redelivery, tampered namespace defaults repaired (a relabelled namespace denied), audit
 * mode admitting with every violation recorded, and the metrics the alerts use.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = true)
class AdmitEndToEndTest extends EndToEndTestBase {
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
  void onTrigger_signedBundleAndWriter_admitsOnePipelineRunPinnedByDigestInProvisionedNamespace()
      throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("admit", repo, "team-admit", bundle.tagReference(), "enforce", "");
    TriggerEvent trigger = push(repo, writer());

    DecisionEvent d = decide(trigger);

    assertThat(d.outcome()).as(d.reasons().toString()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(d.policy().name()).isEqualTo("admit");
    assertThat(d.pipelineRun().namespace()).isEqualTo("team-admit");
    assertThat(d.pipelineRun().name()).isEqualTo(PipelineRuns.name(trigger.triggerId()));
    assertThat(d.pipelineRun().bundle()).isEqualTo(bundle.pinned());
    assertThat(d.reasons())
        .extracting(Reason::code)
        .contains(
            DecisionReason.BUNDLE_VERIFIED.code(), DecisionReason.NAMESPACE_PROVISIONED.code());
    assertThat(d.mode()).isEqualTo(DecisionEvent.Mode.ENFORCE);
    assertThat(d.violations()).isEmpty();
    assertThat(d.verification().verdict()).isEqualTo(DecisionEvent.Verification.Verdict.VERIFIED);
    assertThat(d.verification().pinned()).endsWith("@" + bundle.digest());
    assertThat(d.verification().checks())
        .extracting(DecisionEvent.Check::check)
        .contains("bundle.resolve", "bundle.signature");
    assertThat(d.verification().checks())
        .filteredOn(c -> c.check().equals("bundle.signature"))
        .allSatisfy(
            c -> {
              assertThat(c.outcome()).isEqualTo(DecisionEvent.CheckOutcome.PASSED);
              assertThat(c.evidence()).containsEntry("digest", bundle.digest().toString());
            });
    assertThat(d.namespace().name()).isEqualTo("team-admit");
    assertThat(d.namespace().created())
        .contains(
            "Namespace/team-admit",
            "ServiceAccount/tollgate-run",
            "NetworkPolicy/tollgate-default",
            "PersistentVolumeClaim/tollgate-workspace");
    List<PipelineRun> runs = runs("team-admit");
    assertThat(runs).hasSize(1);
    PipelineRun run = runs.get(0);
    assertThat(run.getSpec().pipelineRef.resolver).isEqualTo("bundles");
    assertThat(run.getSpec().pipelineRef.params)
        .extracting(p -> p.name + "=" + p.value)
        .containsExactly("bundle=" + bundle.pinned(), "name=release", "kind=pipeline");
    assertThat(run.getSpec().params)
        .extracting(p -> p.name + "=" + p.value)
        .containsExactlyInAnyOrder("revision=" + SHA_A, "repository=" + repo);
    assertThat(run.getSpec().taskRunTemplate.serviceAccountName).isEqualTo("tollgate-run");
    assertThat(run.getMetadata().getAnnotations())
        .containsEntry(PipelineRuns.TRIGGER_ID, trigger.triggerId())
        .containsEntry(PipelineRuns.DECISION_ID, d.decisionId())
        .containsEntry(PipelineRuns.POLICY, "admit")
        .containsEntry(PipelineRuns.POLICY_VERSION, d.policy().version());
    assertThat(run.getMetadata().getLabels())
        .containsEntry(PipelineRuns.TRIGGER_ID, trigger.triggerId().replace(':', '_'))
        .containsEntry(PipelineRuns.DECISION_ID, d.decisionId());
    Namespace ns = cluster.client().namespaces().withName("team-admit").get();
    assertThat(ns.getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
        .containsEntry("pod-security.kubernetes.io/audit", "restricted")
        .containsEntry("pod-security.kubernetes.io/warn", "restricted");
    ServiceAccount sa =
        cluster.client().serviceAccounts().inNamespace("team-admit").withName("tollgate-run").get();
    assertThat(sa.getAutomountServiceAccountToken()).isFalse();
    assertThat(cluster.client().rbac().roles().inNamespace("team-admit").list().getItems())
        .hasSize(1);
    assertThat(cluster.client().rbac().roleBindings().inNamespace("team-admit").list().getItems())
        .hasSize(1);
    var netpol =
        cluster
            .client()
            .network()
            .v1()
            .networkPolicies()
            .inNamespace("team-admit")
            .list()
            .getItems();
    assertThat(netpol).hasSize(1);
    assertThat(netpol.get(0).getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(netpol.get(0).getSpec().getIngress()).isEmpty();
    assertThat(
            cluster.client().persistentVolumeClaims().inNamespace("team-admit").list().getItems())
        .hasSize(1);
    assertThat(cluster.client().resourceQuotas().inNamespace("team-admit").list().getItems())
        .hasSize(1);
    assertThat(cluster.client().limitRanges().inNamespace("team-admit").list().getItems())
        .hasSize(1);
  }

  @Test
  void onTrigger_sameTriggerRedelivered_noSecondRunAndSameRunReported() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("redeliver", repo, "team-redeliver", bundle.tagReference(), "enforce", "");
    TriggerEvent trigger = push(repo, writer());

    DecisionEvent first = decide(trigger);
    DecisionEvent second = decideAgain(trigger, 2);

    assertThat(first.outcome())
        .as(first.reasons().toString())
        .isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(second.outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(second.pipelineRun()).isEqualTo(first.pipelineRun());
    assertThat(second.reasons())
        .extracting(Reason::code)
        .contains(DecisionReason.PIPELINE_RUN_EXISTS.code());
    assertThat(second.reasons())
        .extracting(Reason::code)
        .doesNotContain(DecisionReason.NAMESPACE_PROVISIONED.code());
    assertThat(second.namespace().created()).isEmpty();
    assertThat(second.namespace().repaired()).isEmpty();
    assertThat(runs("team-redeliver")).hasSize(1);
    // The redelivery found the bundle's digest in the tag cache, and its decision says so.
    DecisionEvent.Check resolvedFirst = resolveCheck(first);
    DecisionEvent.Check resolvedAgain = resolveCheck(second);
    assertThat(resolvedFirst.evidence())
        .containsEntry("resolution", "registry")
        .containsEntry("tagCacheTtl", "PT10M");
    assertThat(resolvedAgain.evidence())
        .containsEntry("resolution", "cached")
        .containsEntry("resolvedAt", resolvedFirst.evidence().get("resolvedAt"))
        .containsEntry("digest", bundle.digest().toString());
    assertThat(resolvedAgain.message()).contains("(cached, ttl 10m)");
    assertThat(second.reasons())
        .filteredOn(r -> r.code().equals(DecisionReason.BUNDLE_VERIFIED.code()))
        .singleElement()
        .satisfies(r -> assertThat(r.message()).contains("(cached, ttl 10m)"));
  }

  private static DecisionEvent.Check resolveCheck(DecisionEvent d) {
    return d.verification().checks().stream()
        .filter(c -> c.check().equals("bundle.resolve"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void onTrigger_namespaceDefaultsTamperedWith_repairedAndReported() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("repair", repo, "team-repair", bundle.tagReference(), "enforce", "");
    assertThat(decide(push(repo, writer())).outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    cluster
        .client()
        .serviceAccounts()
        .inNamespace("team-repair")
        .withName("tollgate-run")
        .edit(
            s -> {
              s.setAutomountServiceAccountToken(true);
              return s;
            });

    DecisionEvent d = decide(push(repo, writer()));

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(d.reasons())
        .filteredOn(r -> r.code().equals(DecisionReason.NAMESPACE_PROVISIONED.code()))
        .singleElement()
        .satisfies(r -> assertThat(r.message()).contains("repaired ServiceAccount/tollgate-run"));
    assertThat(d.namespace().repaired()).containsExactly("ServiceAccount/tollgate-run");
    assertThat(d.namespace().created()).isEmpty();
    assertThat(
            cluster
                .client()
                .serviceAccounts()
                .inNamespace("team-repair")
                .withName("tollgate-run")
                .get()
                .getAutomountServiceAccountToken())
        .isFalse();
    assertThat(runs("team-repair")).hasSize(2);
  }

  @Test
  void onTrigger_namespaceRelabelledPrivileged_deniedAndNotRelabelled() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("relabel", repo, "team-relabel", bundle.tagReference(), "enforce", "");
    assertThat(decide(push(repo, writer())).outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    cluster
        .client()
        .namespaces()
        .withName("team-relabel")
        .edit(
            n -> {
              n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "privileged");
              return n;
            });

    DecisionEvent d = decide(push(repo, writer()));

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.DENIED);
    assertThat(d.reasons())
        .filteredOn(r -> r.code().equals(DecisionReason.NAMESPACE_NOT_MANAGED.code()))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.message())
                    .contains("team-relabel", "pod-security.kubernetes.io/enforce=privileged"));
    assertThat(
            cluster.client().namespaces().withName("team-relabel").get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
    assertThat(runs("team-relabel")).hasSize(1);
  }

  @Test
  void onTrigger_auditModeUnsignedBundle_admittedWithViolationRecorded() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", false);
    String repo = repo();
    policy("audit", repo, "team-audit", bundle.tagReference(), "audit", "");

    DecisionEvent d = decide(push(repo, writer()));

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(d.pipelineRun().bundle()).isEqualTo(bundle.pinned());
    assertThat(d.reasons())
        .filteredOn(r -> r.code().equals("SIGNATURE_MISSING"))
        .singleElement()
        .satisfies(r -> assertThat(r.message()).startsWith("[audit mode: admitted anyway]"));
    assertThat(d.mode()).isEqualTo(DecisionEvent.Mode.AUDIT);
    assertThat(d.violations())
        .extracting(Reason::code)
        .contains("SIGNATURE_MISSING")
        .doesNotContain(DecisionReason.BUNDLE_VERIFIED.code());
    assertThat(d.verification().verdict()).isEqualTo(DecisionEvent.Verification.Verdict.DENIED);
    assertThat(runs("team-audit")).hasSize(1);
  }

  @Test
  void onTrigger_auditModeReaderAndUnsignedBundle_admittedWithEveryViolationRecorded()
      throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", false);
    String repo = repo();
    policy("audit-all", repo, "team-audit-all", bundle.tagReference(), "audit", "");

    DecisionEvent d =
        decide(
            push(
                repo,
                TriggerEvent.Identity.verified(
                    "CONTRIBUTOR", false, TriggerEvent.Permission.READ)));

    assertThat(d.outcome()).as(d.reasons().toString()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    assertThat(d.mode()).isEqualTo(DecisionEvent.Mode.AUDIT);
    assertThat(d.violations())
        .extracting(Reason::code)
        .containsExactly("PERMISSION_INSUFFICIENT", "SIGNATURE_MISSING");
    assertThat(d.reasons())
        .filteredOn(r -> r.message().startsWith(Decider.AUDIT_PREFIX))
        .extracting(Reason::code)
        .containsExactly("PERMISSION_INSUFFICIENT", "SIGNATURE_MISSING");
    assertThat(runs("team-audit-all")).hasSize(1);
  }

  @Test
  void metrics_decisionsAndVerification_exposedUnderTheNamesTheAlertsUse() throws Exception {
    String repo = repo();
    double ignoredBefore = metric("tollgate_verifier_decisions_total{outcome=\"ignored\"}");

    decide(push(repo, writer()));

    String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
    assertThat(metric("tollgate_verifier_decisions_total{outcome=\"ignored\"}"))
        .isEqualTo(ignoredBefore + 1);
    for (String outcome : List.of("admitted", "denied", "ignored", "error")) {
      assertThat(metrics)
          .contains("tollgate_verifier_decisions_total{outcome=\"" + outcome + "\"}");
    }
    assertThat(metrics).contains("tollgate_verifier_decision_seconds_bucket{");
    assertThat(metrics).contains("tollgate_verifier_decision_seconds_count{outcome=\"ignored\"}");
  }

  @Test
  void metrics_afterAVerification_verificationLatencyByVerdict() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("timed", repo, "team-timed", bundle.tagReference(), "enforce", "");

    decide(push(repo, writer()));

    String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
    assertThat(metrics)
        .containsPattern(
            "tollgate_verifier_verification_seconds_count\\{[^}]*verdict=\"verified\"[^}]*\\}"
                + " [1-9]");
    assertThat(metric("tollgate_verifier_decisions_total{outcome=\"admitted\"}"))
        .isGreaterThanOrEqualTo(1);
  }
}
