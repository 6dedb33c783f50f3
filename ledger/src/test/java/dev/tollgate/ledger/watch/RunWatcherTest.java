package dev.tollgate.ledger.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.ledger.LedgerRecord;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run watch against fabric8's mock API server in CRUD mode with the Tekton v1 CRDs registered
 * (status subresource included), so runs are created, and their status written, as on a cluster.
 * Admission is checked against a real {@link LedgerIndex} of signed decision records.
 */
@EnableKubernetesMockClient(crud = true)
class RunWatcherTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NAMESPACE = "tenant-acme";

  /** The bundle digest {@code decision.admitted.json} pins. */
  private static final String PINNED =
      "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

  private static final String DIGEST =
      "sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9";

  static KubernetesClient client;

  private final List<Published> published = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger unadmitted = new AtomicInteger();
  private final AtomicInteger mismatches = new AtomicInteger();
  private final AtomicInteger unverified = new AtomicInteger();

  /** While above zero, each publish fails and counts it down: a broker that refuses writes. */
  private final AtomicInteger failingPublishes = new AtomicInteger();

  private final AtomicReference<Optional<LedgerIndex>> index =
      new AtomicReference<>(Optional.empty());
  private final List<RunWatcher> watchers = new ArrayList<>();
  private final LedgerSigner signer = TestKeys.signer();
  private ChainHead head = ChainHead.EMPTY;
  private LedgerIndex ledger;

  private record Published(String eventId, RunEvent event) {}

  @BeforeEach
  void registerCrds() throws Exception {
    for (String crd : List.of("pipelineruns", "taskruns")) {
      if (client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd + ".tekton.dev")
              .get()
          == null) {
        try (InputStream yaml = getClass().getResourceAsStream("/tekton/" + crd + ".crd.yaml")) {
          client.apiextensions().v1().customResourceDefinitions().load(yaml).create();
        }
      }
    }
    // One mock server serves the whole class: start every test from an empty cluster.
    for (TektonRun type : TektonRun.values()) {
      client.genericKubernetesResources(type.context()).inAnyNamespace().delete();
    }
    ledger = new LedgerIndex();
    index.set(Optional.of(ledger));
  }

  @AfterEach
  void stop() {
    watchers.forEach(RunWatcher::close);
  }

  @Test
  void watch_admittedPipelineRunStarts_publishesStartedAdmittedWithDecisionIds() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));

    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));

    RunEvent started = awaitEvent("run:" + uid(run) + ":started");
    assertThat(started.admitted()).isTrue();
    assertThat(started.kind()).isEqualTo(RunEvent.Kind.PIPELINE_RUN);
    assertThat(started.triggerId()).isEqualTo(triggerId);
    assertThat(started.decisionId()).isEqualTo(Ids.decision(triggerId));
    assertThat(unadmitted).hasValue(0);
  }

  @Test
  void watch_pipelineRunSucceedsWithImageDigest_publishesSucceededWithResultsThenChainsSigned() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));
    awaitEvent("run:" + uid(run) + ":started");

    run = finish(TektonRun.PIPELINE_RUN, run, "True", "Succeeded");
    RunEvent succeeded = awaitEvent("run:" + uid(run) + ":succeeded");
    assertThat(succeeded.phase()).isEqualTo(RunEvent.Phase.SUCCEEDED);
    assertThat(succeeded.results())
        .containsEntry("IMAGE_DIGEST", DIGEST)
        .containsEntry("IMAGE_URL", "registry.acme.example/api");
    assertThat(succeeded.chainsSigned()).isNull();
    assertThat(succeeded.admitted()).isTrue();

    run.getMetadata().getAnnotations().put(RunState.CHAINS_SIGNED_ANNOTATION, "true");
    client.genericKubernetesResources(TektonRun.PIPELINE_RUN.context()).resource(run).update();
    RunEvent signed = awaitEvent("run:" + uid(run) + ":succeeded:chains-signed");
    assertThat(signed.chainsSigned()).isTrue();
    assertThat(published).hasSize(3);
  }

  @Test
  void watch_pipelineRunFails_publishesFailed() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));

    finish(TektonRun.PIPELINE_RUN, run, "False", "Failed");

    assertThat(awaitEvent("run:" + uid(run) + ":failed").phase()).isEqualTo(RunEvent.Phase.FAILED);
  }

  @Test
  void watch_pipelineRunCancelled_publishesCancelledNotFailed() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));

    finish(TektonRun.PIPELINE_RUN, run, "False", "Cancelled");

    assertThat(awaitEvent("run:" + uid(run) + ":cancelled").phase())
        .isEqualTo(RunEvent.Phase.CANCELLED);
  }

  @Test
  void watch_handMadeTaskRun_publishesUnadmittedAndCountsIt() {
    startWatcher(Duration.ofMinutes(5));

    GenericKubernetesResource run =
        create(TektonRun.TASK_RUN, "hand-made-" + UUID.randomUUID(), Map.of(), null);

    RunEvent started = awaitEvent("run:" + uid(run) + ":started");
    assertThat(started.admitted()).isFalse();
    assertThat(started.kind()).isEqualTo(RunEvent.Kind.TASK_RUN);
    assertThat(started.triggerId()).isNull();
    assertThat(started.decisionId()).isNull();
    assertThat(unadmitted).hasValue(1);
  }

  @Test
  void watch_taskRunOwnedByAdmittedPipelineRun_inheritsAdmission() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource parent = createPipelineRun(name, admittedLabels(triggerId));

    GenericKubernetesResource task =
        create(
            TektonRun.TASK_RUN, name + "-build", Map.of(RunState.PIPELINE_RUN_LABEL, name), parent);
    finish(TektonRun.TASK_RUN, task, "True", "Succeeded");

    RunEvent succeeded = awaitEvent("run:" + uid(task) + ":succeeded");
    assertThat(succeeded.admitted()).isTrue();
    assertThat(succeeded.decisionId()).isEqualTo(Ids.decision(triggerId));
    assertThat(succeeded.results()).containsEntry("IMAGE_DIGEST", DIGEST);
    assertThat(unadmitted).hasValue(0);
  }

  @Test
  void watch_labelsNameADecisionThatAdmittedAnotherRun_unadmitted() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    recordDecision(triggerId, "tg-the-real-one", true);
    startWatcher(Duration.ofMinutes(5));

    // Copying an admitted run's labels onto another PipelineRun does not make it admitted.
    GenericKubernetesResource run =
        createPipelineRun("copycat-" + UUID.randomUUID(), admittedLabels(triggerId));

    assertThat(awaitEvent("run:" + uid(run) + ":started").admitted()).isFalse();
    assertThat(unadmitted).hasValue(1);
  }

  @Test
  void watch_labelsNameADecisionTheLedgerNeverRecords_unadmittedAfterTheGrace() {
    startWatcher(Duration.ZERO);
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());

    GenericKubernetesResource run =
        createPipelineRun("tg-" + UUID.randomUUID(), admittedLabels(triggerId));

    assertThat(awaitEvent("run:" + uid(run) + ":started").admitted()).isFalse();
    assertThat(unadmitted).hasValue(1);
  }

  @Test
  void watch_decisionReachesTheLedgerAfterTheRun_waitsAndPublishesAdmitted() {
    startWatcher(Duration.ofMinutes(5));
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(published::isEmpty);

    recordDecision(triggerId, name, true);

    assertThat(awaitEvent("run:" + uid(run) + ":started").admitted()).isTrue();
    assertThat(unadmitted).hasValue(0);
  }

  @Test
  void watch_restartReListsAFinishedRun_publishesTheSameEventIds() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    RunWatcher first = startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));
    finish(TektonRun.PIPELINE_RUN, run, "True", "Succeeded");
    awaitEvent("run:" + uid(run) + ":succeeded");
    first.close();
    List<String> before = published.stream().map(Published::eventId).toList();
    published.clear();

    startWatcher(Duration.ofMinutes(5));

    await().atMost(WAIT).until(() -> published.size() == before.size());
    assertThat(published.stream().map(Published::eventId)).containsExactlyElementsOf(before);
  }

  @Test
  void watch_runDeletedWhileWaitingForItsDecision_recordedAdmittedWhenTheDecisionArrives() {
    startWatcher(Duration.ofMinutes(5));
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(published::isEmpty);

    delete(TektonRun.PIPELINE_RUN, name);
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(published::isEmpty);
    recordDecision(triggerId, name, true);

    assertThat(awaitEvent("run:" + uid(run) + ":started").admitted()).isTrue();
  }

  @Test
  void watch_runCreatedAndDeletedWithinTheGraceWithoutDecision_recordedUnadmitted() {
    startWatcher(Duration.ofSeconds(2));
    String name = "tg-" + UUID.randomUUID();
    GenericKubernetesResource run =
        createPipelineRun(name, admittedLabels(Ids.githubTrigger(UUID.randomUUID().toString())));

    delete(TektonRun.PIPELINE_RUN, name);

    assertThat(awaitEvent("run:" + uid(run) + ":started").admitted()).isFalse();
    assertThat(unadmitted).hasValue(1);
  }

  @Test
  void watch_publishFailsAndTheRunIsDeleted_publishedOnRetry() {
    failingPublishes.set(3);
    startWatcher(Duration.ZERO);
    String name = "tg-" + UUID.randomUUID();
    GenericKubernetesResource run = create(TektonRun.TASK_RUN, name, Map.of(), null);

    delete(TektonRun.TASK_RUN, name);

    assertThat(awaitEvent("run:" + uid(run) + ":started").admitted()).isFalse();
    assertThat(failingPublishes).hasValue(0);
  }

  @Test
  void watch_tektonResolvedThePinnedDigest_eventsStateAMatchingResolution() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));

    resolve(run, PINNED);
    run = finish(TektonRun.PIPELINE_RUN, run, "True", "Succeeded");

    RunEvent succeeded = awaitEvent("run:" + uid(run) + ":succeeded");
    assertThat(succeeded.admitted()).isTrue();
    assertThat(succeeded.resolution().result()).isEqualTo(RunEvent.Resolution.Result.MATCHES);
    assertThat(succeeded.resolution().digest()).isEqualTo(PINNED);
    assertThat(published).extracting(Published::eventId).noneMatch(id -> id.contains("mismatch"));
    assertThat(unadmitted).hasValue(0);
    assertThat(mismatches).hasValue(0);
  }

  @Test
  void watch_tektonResolvedAnotherDigest_recordsUnadmittedMismatchAndCountsIt() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));
    assertThat(awaitEvent("run:" + uid(run) + ":started").admitted()).isTrue();

    resolve(run, DIGEST);

    RunEvent mismatch = awaitEvent("run:" + uid(run) + ":started:resolution-mismatch");
    assertThat(mismatch.admitted()).isFalse();
    assertThat(mismatch.resolution().result()).isEqualTo(RunEvent.Resolution.Result.MISMATCH);
    assertThat(mismatch.resolution().digest()).isEqualTo(DIGEST);
    assertThat(mismatch.resolution().admittedDigests()).containsExactly(PINNED);
    assertThat(mismatches).hasValue(1);
    assertThat(unadmitted).hasValue(1);

    run = finish(TektonRun.PIPELINE_RUN, run, "True", "Succeeded");
    RunEvent succeeded = awaitEvent("run:" + uid(run) + ":succeeded");
    assertThat(succeeded.admitted()).isFalse();
    assertThat(succeeded.resolution().result()).isEqualTo(RunEvent.Resolution.Result.MISMATCH);
    assertThat(mismatches).hasValue(1);
  }

  @Test
  void watch_admittedRunFinishesWithoutProvenance_unverifiedAndStillAdmitted() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String name = "tg-" + UUID.randomUUID();
    recordDecision(triggerId, name, true);
    startWatcher(Duration.ofMinutes(5));
    GenericKubernetesResource run = createPipelineRun(name, admittedLabels(triggerId));

    run = finish(TektonRun.PIPELINE_RUN, run, "True", "Succeeded");

    RunEvent succeeded = awaitEvent("run:" + uid(run) + ":succeeded");
    assertThat(succeeded.admitted()).isTrue();
    assertThat(succeeded.resolution().result()).isEqualTo(RunEvent.Resolution.Result.UNVERIFIED);
    assertThat(unverified).hasValue(1);
    assertThat(mismatches).hasValue(0);
  }

  @Test
  void healthy_afterTheInformersListed_true() {
    RunWatcher watcher = startWatcher(Duration.ZERO);

    assertThat(watcher.healthy()).isTrue();
    watcher.close();
    assertThat(watcher.healthy()).isFalse();
  }

  private void delete(TektonRun type, String name) {
    client
        .genericKubernetesResources(type.context())
        .inNamespace(NAMESPACE)
        .withName(name)
        .delete();
  }

  private RunWatcher startWatcher(Duration grace) {
    RunWatcher watcher =
        new RunWatcher(
            client,
            index::get,
            (id, event) -> {
              if (failingPublishes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new RunPublishException(
                    "the broker refused " + id, new java.io.IOException("refused"));
              }
              published.add(new Published(id, event));
            },
            Clock.systemUTC(),
            grace,
            Duration.ZERO,
            new RunWatchCounters(
                unadmitted::incrementAndGet,
                mismatches::incrementAndGet,
                unverified::incrementAndGet));
    watchers.add(watcher);
    watcher.start();
    // A run created and deleted before the first list is never seen: the blind spot that the
    // health gauge and readiness report. The tests start from a watch that sees.
    await().atMost(WAIT).until(watcher::healthy);
    return watcher;
  }

  private RunEvent awaitEvent(String eventId) {
    await().atMost(WAIT).until(() -> published.stream().anyMatch(p -> p.eventId().equals(eventId)));
    return published.stream()
        .filter(p -> p.eventId().equals(eventId))
        .findFirst()
        .orElseThrow()
        .event();
  }

  /** Appends a signed decision record for this trigger and PipelineRun to the ledger index. */
  private void recordDecision(String triggerId, String runName, boolean admitted) {
    ObjectNode decision = Chains.tree(Chains.decisionData(triggerId, Ids.decision(triggerId)));
    ((ObjectNode) decision.get("pipelineRun")).put("namespace", NAMESPACE).put("name", runName);
    if (!admitted) {
      decision.put("outcome", "denied");
    }
    SourceEvent event =
        new SourceEvent(
            LedgerRecord.Kind.DECISION,
            Ids.decision(triggerId),
            "dev.tollgate.decision.v1",
            new LedgerRecord.SourcePosition("tollgate.decisions.v1", 0, head.size()),
            CanonicalJson.bytes(decision));
    byte[] value =
        RecordBuilder.build(head, event, EventKeys.genuine(event), Instant.now(), signer);
    ledger.add(head.size(), value);
    head = head.append(LedgerRecord.recordHash(Chains.tree(value)));
  }

  /**
   * What the verifier puts on an admitted PipelineRun: decision id label, trigger id annotation.
   */
  private static Admitted admittedLabels(String triggerId) {
    return new Admitted(
        Map.of(RunState.DECISION_ID_LABEL, Ids.decision(triggerId)),
        Map.of(RunState.TRIGGER_ID_LABEL, triggerId));
  }

  private record Admitted(Map<String, String> labels, Map<String, String> annotations) {}

  private GenericKubernetesResource createPipelineRun(String name, Admitted marks) {
    GenericKubernetesResource run =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(TektonRun.GROUP + "/" + TektonRun.VERSION)
            .withKind(TektonRun.PIPELINE_RUN.kind())
            .withNewMetadata()
            .withNamespace(NAMESPACE)
            .withName(name)
            .withUid(UUID.randomUUID().toString())
            .withLabels(marks.labels())
            .withAnnotations(marks.annotations())
            .endMetadata()
            .build();
    return client
        .genericKubernetesResources(TektonRun.PIPELINE_RUN.context())
        .inNamespace(NAMESPACE)
        .resource(run)
        .create();
  }

  private GenericKubernetesResource create(
      TektonRun type, String name, Map<String, String> labels, GenericKubernetesResource owner) {
    GenericKubernetesResourceBuilder run =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(TektonRun.GROUP + "/" + TektonRun.VERSION)
            .withKind(type.kind())
            .withNewMetadata()
            .withNamespace(NAMESPACE)
            .withName(name)
            .withUid(UUID.randomUUID().toString())
            .withLabels(labels)
            .endMetadata();
    if (owner != null) {
      run.editMetadata()
          .withOwnerReferences(
              new OwnerReferenceBuilder()
                  .withApiVersion(TektonRun.GROUP + "/" + TektonRun.VERSION)
                  .withKind("PipelineRun")
                  .withName(owner.getMetadata().getName())
                  .withUid(owner.getMetadata().getUid())
                  .withController(true)
                  .build())
          .endMetadata();
    }
    return client
        .genericKubernetesResources(type.context())
        .inNamespace(NAMESPACE)
        .resource(run.build())
        .create();
  }

  /** Writes a Succeeded condition and results through the status subresource, as Tekton does. */
  private GenericKubernetesResource finish(
      TektonRun type, GenericKubernetesResource run, String status, String reason) {
    GenericKubernetesResource current =
        client
            .genericKubernetesResources(type.context())
            .inNamespace(NAMESPACE)
            .withName(run.getMetadata().getName())
            .get();
    // Keeps what the status said before (provenance written when the run was resolved).
    Map<String, Object> written = new java.util.HashMap<>();
    if (current.getAdditionalProperties().get("status") instanceof Map<?, ?> before) {
      before.forEach((k, v) -> written.put(String.valueOf(k), v));
    }
    written.put(
        "conditions", List.of(Map.of("type", "Succeeded", "status", status, "reason", reason)));
    written.put(
        "results",
        List.of(
            Map.of("name", "IMAGE_DIGEST", "value", DIGEST),
            Map.of("name", "IMAGE_URL", "value", "registry.acme.example/api")));
    current.setAdditionalProperty("status", written);
    return client.genericKubernetesResources(type.context()).resource(current).updateStatus();
  }

  /**
   * Writes what Tekton's bundles resolver records once it resolved the pipeline: a running
   * condition and {@code provenance.refSource} with this digest.
   */
  private void resolve(GenericKubernetesResource run, String digest) {
    GenericKubernetesResource current =
        client
            .genericKubernetesResources(TektonRun.PIPELINE_RUN.context())
            .inNamespace(NAMESPACE)
            .withName(run.getMetadata().getName())
            .get();
    current.setAdditionalProperty(
        "status",
        Map.of(
            "conditions",
            List.of(Map.of("type", "Succeeded", "status", "Unknown", "reason", "Running")),
            "provenance",
            Map.of(
                "refSource",
                Map.of(
                    "uri",
                    "registry.acme.example/pipelines/release",
                    "digest",
                    Map.of("sha256", digest.substring("sha256:".length())),
                    "entryPoint",
                    "release"))));
    client
        .genericKubernetesResources(TektonRun.PIPELINE_RUN.context())
        .resource(current)
        .updateStatus();
  }

  private static String uid(GenericKubernetesResource run) {
    return run.getMetadata().getUid();
  }
}
