package dev.tollgate.verifier.endtoend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.cluster.ClusterClient;
import dev.tollgate.verifier.handling.TriggerHandler;
import dev.tollgate.verifier.messaging.SecondVerifier;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.ClusterResource;
import dev.tollgate.verifier.testing.SignedBundles;
import dev.tollgate.verifier.testing.StalledRegistry;
import dev.tollgate.verifier.testing.TestCluster;
import dev.tollgate.verifier.testing.TestEventKeys;
import dev.tollgate.verifier.testing.TriggerMessages;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The verifier past its partitions: several triggers in flight per replica, so one registry that
 * never answers holds one trigger and not the others; and two replicas on one broker, both running
 * and one killed mid-batch, with exactly one PipelineRun per trigger. No timing is asserted: only
 * what has happened, and what has not yet, at a point the test reached by waiting for an event.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = true)
class ConcurrencyEndToEndTest extends EndToEndTestBase {
  private static final int PARTITIONS = TollgateTopics.EVENT_PARTITIONS;
  EmbeddedKafka kafka;
  TestCluster cluster;
  @Inject PolicySet policies;
  @Inject Approvals approvals;
  @Inject ClusterClient clusterClient;
  @Inject VerifierConfig config;

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
  void onTrigger_registryNeverAnswersForOneRepository_otherTriggerOnSamePartitionDecided()
      throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String slowRepo = repo();
    String fastRepo = repo();
    try (StalledRegistry stalled = StalledRegistry.start()) {
      writePolicy(
          "stalled", slowRepo, "team-stalled", stalled.host() + "/acme/bundle:v1", "enforce", "");
      writePolicy("beside", fastRepo, "team-beside", bundle.tagReference(), "enforce", "");
      policies.reload();
      assertThat(names()).contains("stalled", "beside");
      TriggerEvent slow = push(slowRepo, writer());
      TriggerEvent fast = push(fastRepo, writer());

      send(slow, 0);
      await().atMost(Duration.ofSeconds(60)).until(() -> stalled.accepted() > 0);
      send(fast, 0); // behind the stalled trigger, on the same partition

      DecisionEvent decided = awaitDecision(fast, 1);
      assertThat(decided.outcome())
          .as(decided.reasons().toString())
          .isEqualTo(DecisionEvent.Outcome.ADMITTED);
      assertThat(runs("team-beside")).hasSize(1);
      assertThat(mine(slow)).as("the stalled trigger is still pending").isEmpty();

      stalled.drop(); // the registry goes away: the stalled trigger fails closed
      DecisionEvent late = awaitDecision(slow, 1);
      assertThat(late.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
      assertThat(late.reasons())
          .extracting(Reason::code)
          .containsExactly(DecisionReason.REGISTRY_UNAVAILABLE.code());
      assertThat(runs("team-stalled")).isEmpty();
    }
  }

  @Test
  void onTrigger_twoReplicasOneKilledMidBatch_exactlyOneRunPerTrigger() throws Exception {
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    String repo = repo();
    policy("pair", repo, "team-pair", bundle.tagReference(), "enforce", "");
    TriggerHandler own = TriggerHandler.create(policies, approvals, clusterClient, config);

    // Both replicas running; each trigger sent twice, to two partitions, so both may race on it.
    List<TriggerEvent> both = new ArrayList<>();
    try (SecondVerifier second = SecondVerifier.start(kafka.clientProperties(), own, 1_000_000)) {
      awaitSharedWith(second);
      for (int i = 0; i < PARTITIONS; i++) {
        TriggerEvent t = push(repo, writer());
        both.add(t);
        send(t, i);
        send(t, (i + 1) % PARTITIONS);
      }
      for (TriggerEvent t : both) {
        awaitDecision(t, 1);
      }
      assertThat(second.failure()).isNull();
      assertThat(second.handled()).isPositive();
    }

    // A replica killed in the middle of a batch: what it decided and did not commit is redone by
    // the replica that takes its partitions, which finds the runs already there.
    List<TriggerEvent> killed = new ArrayList<>();
    try (SecondVerifier second = SecondVerifier.start(kafka.clientProperties(), own, 4)) {
      awaitSharedWith(second);
      for (int i = 0; i < 2 * PARTITIONS; i++) {
        TriggerEvent t = push(repo, writer());
        killed.add(t);
        send(t, i % PARTITIONS);
      }
      await().atMost(Duration.ofSeconds(60)).until(second::dead);
      for (TriggerEvent t : killed) {
        awaitDecision(t, 1);
      }
      assertThat(second.failure()).isNull();
    }
    assertThat(killed.stream().filter(t -> mine(t).size() > 1))
        .as("a trigger the killed replica decided but did not commit is decided again")
        .isNotEmpty();

    List<TriggerEvent> all = new ArrayList<>(both);
    all.addAll(killed);
    Set<String> expected = new java.util.HashSet<>();
    for (TriggerEvent t : all) {
      List<DecisionEvent> ds = decisionsOf(t);
      assertThat(ds)
          .allSatisfy(d -> assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ADMITTED));
      Set<String> names = ds.stream().map(d -> d.pipelineRun().name()).collect(Collectors.toSet());
      assertThat(names).as("one run name for trigger %s", t.triggerId()).hasSize(1);
      assertThat(ds.stream().map(DecisionEvent::decisionId).distinct()).hasSize(1);
      expected.addAll(names);
    }
    assertThat(runs("team-pair"))
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(expected).hasSize(all.size());
  }

  /** Waits until the second replica holds some of the trigger partitions and this one the rest. */
  private static void awaitSharedWith(SecondVerifier second) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !second.assigned().isEmpty() && second.assigned().size() < PARTITIONS);
  }

  private void send(TriggerEvent trigger, int partition) throws Exception {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    byte[] value = CanonicalJson.bytes(trigger);
    Headers headers = TriggerMessages.headers(trigger);
    TestEventKeys.signAsGateway(headers, value);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      producer
          .send(
              new ProducerRecord<>(
                  EventType.TRIGGER.defaultTopic(), partition, trigger.triggerId(), value, headers))
          .get();
    }
  }

  private DecisionEvent awaitDecision(TriggerEvent trigger, int n) {
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              decisions.poll(Duration.ofMillis(200)).forEach(seen::add);
              return mine(trigger).size() >= n;
            });
    return decisionsOf(trigger).get(n - 1);
  }

  private List<DecisionEvent> decisionsOf(TriggerEvent trigger) {
    List<DecisionEvent> out = new ArrayList<>();
    for (var r : mine(trigger)) {
      try {
        out.add(Json.read(r.value(), DecisionEvent.class));
      } catch (MalformedJsonException e) {
        throw new AssertionError("decision of " + trigger.triggerId() + " unreadable", e);
      }
    }
    return out;
  }
}
