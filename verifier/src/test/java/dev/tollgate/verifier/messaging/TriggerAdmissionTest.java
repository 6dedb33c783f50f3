package dev.tollgate.verifier.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verifier service end to end: triggers on a real broker, bundles in a real registry, policies
 * in a watched directory, PipelineRuns and tenant namespaces in fabric8's mock API server (CRUD
 * mode, Tekton v1 CRDs registered). Each test has its own repository, policy and namespace.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = true)
class TriggerAdmissionTest {
  private static final String SHA_A = "a".repeat(40);
  private static final String SHA_B = "b".repeat(40);
  private static SignedBundles bundles;
  private static SignedBundles spare;

  EmbeddedKafka kafka;
  TestCluster cluster;
  @Inject PolicySet policies;

  private KafkaConsumer<String, byte[]> decisions;
  private final List<Path> written = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    synchronized (TriggerAdmissionTest.class) {
      if (bundles == null) {
        bundles = new SignedBundles(cluster.registry());
        bundles.writeTrust(cluster.policies().resolve("trust"));
      }
    }
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    decisions = new KafkaConsumer<>(props);
    decisions.subscribe(List.of(EventType.DECISION.defaultTopic()));
  }

  @AfterEach
  void tearDown() throws Exception {
    decisions.close();
    for (Path p : written) {
      Files.deleteIfExists(p);
    }
    policies.reload();
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
  void onTrigger_namespaceTamperedWith_repairedAndReported() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("repair", repo, "team-repair", bundle.tagReference(), "enforce", "");
    assertThat(decide(push(repo, writer())).outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED);
    cluster
        .client()
        .namespaces()
        .withName("team-repair")
        .edit(
            n -> {
              n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "privileged");
              return n;
            });
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
        .satisfies(
            r ->
                assertThat(r.message())
                    .contains("repaired Namespace/team-repair", "ServiceAccount/tollgate-run"));
    assertThat(d.namespace().repaired())
        .containsExactlyInAnyOrder("Namespace/team-repair", "ServiceAccount/tollgate-run");
    assertThat(d.namespace().created()).isEmpty();
    assertThat(
            cluster.client().namespaces().withName("team-repair").get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
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
  void onTrigger_defaultNamespace_deniedNamespaceForbidden() throws Exception {
    String repo = repo();
    policy(
        "to-default", repo, "default", bundles.bundle("release", true).tagReference(), "audit", "");

    DecisionEvent d = decide(push(repo, writer()));

    assertDenied(d, "NAMESPACE_FORBIDDEN");
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

  @Test
  void onTrigger_forkPullRequestApprovedByOtherReplica_admittedAtThatSha() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("replica", repo, "team-replica", bundle.tagReference(), "enforce", "");
    // The other replica decided the /ok-to-test: it wrote the approval, this one never saw it.
    try (var other =
        new KafkaApprovalJournal(
            kafka.bootstrapServers(), "tollgate.approvals.v1", Duration.ofSeconds(10))) {
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

  // ---------------------------------------------------------------- fixtures

  private SignedBundles spareBundles() throws Exception {
    synchronized (TriggerAdmissionTest.class) {
      if (spare == null) {
        spare = new SignedBundles(cluster.spare());
        spare.writeTrust(cluster.policies().resolve("trust-spare"));
      }
      return spare;
    }
  }

  /** Creates the watched ConfigMap with {@code data}, or replaces the data of the one there. */
  private void configMap(Map<String, String> data) {
    var configMaps =
        cluster.client().configMaps().inNamespace(ClusterResource.CONFIG_MAP_NAMESPACE);
    if (configMaps.withName(ClusterResource.CONFIG_MAP).get() == null) {
      configMaps
          .resource(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(ClusterResource.CONFIG_MAP)
                  .endMetadata()
                  .withData(data)
                  .build())
          .create();
    } else {
      configMaps
          .withName(ClusterResource.CONFIG_MAP)
          .edit(
              c -> {
                c.setData(data);
                return c;
              });
    }
  }

  private static double metric(String series) {
    String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  private List<String> names() {
    return policies.policies().stream().map(p -> p.name()).toList();
  }

  private static void assertDenied(DecisionEvent d, String code) {
    assertThat(d.outcome()).as(d.reasons().toString()).isEqualTo(DecisionEvent.Outcome.DENIED);
    assertThat(d.pipelineRun()).isNull();
    assertThat(d.reasons()).extracting(Reason::code).contains(code);
  }

  private List<PipelineRun> runs(String namespace) {
    return cluster.client().resources(PipelineRun.class).inNamespace(namespace).list().getItems();
  }

  private static String repo() {
    return "acme/svc-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private void policy(
      String name, String repo, String namespace, String bundle, String mode, String extraParams)
      throws Exception {
    writePolicy(name, repo, namespace, bundle, mode, extraParams);
    policies.reload();
    assertThat(policies.errors()).isEmpty();
    assertThat(names()).contains(name);
  }

  private Path writePolicy(
      String name, String repo, String namespace, String bundle, String mode, String extraParams)
      throws Exception {
    return writePolicy(name, repo, namespace, bundle, mode, extraParams, "trust/trust.yaml");
  }

  private Path writePolicy(
      String name,
      String repo,
      String namespace,
      String bundle,
      String mode,
      String extraParams,
      String trustFile)
      throws Exception {
    Path file = cluster.policies().resolve(name + ".yaml");
    written.add(file);
    Files.writeString(
        file, policyYaml(name, repo, namespace, bundle, mode, extraParams, trustFile));
    return file;
  }

  private static String policyYaml(
      String name,
      String repo,
      String namespace,
      String bundle,
      String mode,
      String extraParams,
      String trustFile) {
    return "apiVersion: tollgate.dev/v1alpha1\n"
        + "kind: TriggerPolicy\n"
        + "metadata:\n"
        + "  name: "
        + name
        + "\n"
        + "spec:\n"
        + "  mode: "
        + mode
        + "\n"
        + "  match:\n"
        + "    repositories: ['"
        + repo
        + "']\n"
        + "    events: [push, pull_request, issue_comment]\n"
        + "    condition: \"trigger.event != 'push' || trigger.ref == 'refs/heads/main'\"\n"
        + "  sender:\n"
        + "    minPermission: write\n"
        + "  run:\n"
        + "    bundle: "
        + bundle
        + "\n"
        + "    pipeline: release\n"
        + "    namespace: "
        + namespace
        + "\n"
        + "    timeout: PT30M\n"
        + "    workspaces:\n"
        + "      - {name: source, kind: tenantClaim}\n"
        + "    params:\n"
        + "      revision: $(trigger.headSha)\n"
        + "      repository: $(body.repository.full_name)\n"
        + extraParams
        + "  trust:\n"
        + "    policyFile: "
        + trustFile
        + "\n";
  }

  private static TriggerEvent.Identity writer() {
    return TriggerEvent.Identity.verified("MEMBER", false, TriggerEvent.Permission.WRITE);
  }

  private static TriggerEvent push(String repo, TriggerEvent.Identity identity) {
    return trigger("push", null, repo, "refs/heads/main", SHA_A, identity, null, null);
  }

  private static TriggerEvent pullRequest(String repo, long number, String sha) {
    return trigger(
        "pull_request",
        "synchronize",
        repo,
        "refs/heads/main",
        sha,
        TriggerEvent.Identity.verified(
            "FIRST_TIME_CONTRIBUTOR", true, TriggerEvent.Permission.READ),
        new TriggerEvent.PullRequest(number, "stranger/fork"),
        null);
  }

  private static TriggerEvent okToTest(String repo, long number, String sha) {
    return trigger(
        "issue_comment",
        "created",
        repo,
        null,
        sha,
        TriggerEvent.Identity.verified("MEMBER", true, TriggerEvent.Permission.MAINTAIN),
        new TriggerEvent.PullRequest(number, "stranger/fork"),
        new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 42));
  }

  private static TriggerEvent trigger(
      String event,
      String action,
      String repo,
      String ref,
      String headSha,
      TriggerEvent.Identity identity,
      TriggerEvent.PullRequest pr,
      TriggerEvent.Approval approval) {
    String delivery = UUID.randomUUID().toString();
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.putObject("repository").put("full_name", repo);
    return new TriggerEvent(
        Ids.githubTrigger(delivery),
        TriggerEvent.Source.GITHUB,
        Instant.now(),
        event,
        action,
        repo,
        ref,
        null,
        null,
        headSha,
        new TriggerEvent.Sender("octocat", 1),
        new TriggerEvent.GitHubDelivery(delivery, null, null),
        Sha256.digest(new byte[0]),
        0,
        payload,
        false,
        identity,
        pr,
        approval,
        null,
        null,
        null);
  }

  private DecisionEvent decide(TriggerEvent trigger) throws Exception {
    return decideAgain(trigger, 1);
  }

  /** Sends the trigger (again) and returns the {@code n}th decision for it. */
  private DecisionEvent decideAgain(TriggerEvent trigger, int n) throws Exception {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      producer
          .send(
              new ProducerRecord<>(
                  EventType.TRIGGER.defaultTopic(),
                  null,
                  trigger.repository(),
                  CanonicalJson.bytes(trigger),
                  KafkaCloudEvents.headers(
                      CloudEventAttributes.of(
                          EventType.TRIGGER,
                          trigger.triggerId(),
                          URI.create("/test"),
                          null,
                          Instant.now()))))
          .get();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              decisions.poll(Duration.ofMillis(200)).forEach(seen::add);
              return mine(trigger).size() >= n;
            });
    return Json.read(mine(trigger).get(n - 1).value(), DecisionEvent.class);
  }

  private List<ConsumerRecord<String, byte[]>> mine(TriggerEvent trigger) {
    return seen.stream().filter(r -> trigger.triggerId().equals(r.key())).toList();
  }
}
