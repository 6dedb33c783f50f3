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
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.verifier.testing.TestEventKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The verifier against a real broker: triggers in, decisions out, with CloudEvents headers. */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class TriggerConsumerTest {

  EmbeddedKafka kafka;
  private KafkaConsumer<String, byte[]> decisions;

  @BeforeEach
  void subscribe() {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    decisions = new KafkaConsumer<>(props);
    decisions.subscribe(List.of(EventType.DECISION.defaultTopic()));
  }

  @AfterEach
  void close() {
    decisions.close();
  }

  @Test
  void onTrigger_noPolicyConfigured_decidesIgnoredNoMatchingPolicy() throws Exception {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    TriggerEvent trigger =
        new TriggerEvent(
            triggerId,
            TriggerEvent.Source.GITHUB,
            Instant.now(),
            "push",
            null,
            "octo-org/hello-world",
            "refs/heads/main",
            null,
            null,
            null,
            new TriggerEvent.Sender("octocat", 1),
            new TriggerEvent.GitHubDelivery(triggerId.substring("github:".length()), null, null),
            Sha256.digest(new byte[0]),
            0,
            null,
            false);
    send(
        triggerId,
        CanonicalJson.bytes(trigger),
        CloudEventAttributes.of(
            EventType.TRIGGER, triggerId, URI.create("/test"), null, Instant.now()));

    ConsumerRecord<String, byte[]> record = awaitDecisionFor(triggerId);
    DecisionEvent decision = Json.read(record.value(), DecisionEvent.class);

    assertThat(decision.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
    assertThat(decision.decisionId()).isEqualTo(Ids.decision(triggerId));
    assertThat(decision.reasons()).extracting("code").containsExactly("NO_MATCHING_POLICY");
    assertThat(decision.reasons().get(0).message()).contains("octo-org/hello-world");
    assertThat(decision.repository()).isEqualTo("octo-org/hello-world");
    CloudEventAttributes ce = KafkaCloudEvents.read(record.headers());
    assertThat(ce.id()).isEqualTo(decision.decisionId());
    assertThat(ce.type()).isEqualTo(EventType.DECISION.ceType());
    assertThat(ce.subject()).isEqualTo(triggerId);
    assertThat(record.value()).isEqualTo(CanonicalJson.bytes(Json.readTree(record.value())));
  }

  @Test
  void onTrigger_unreadableData_decidesErrorAndKeepsConsuming() throws Exception {
    String badId = Ids.githubTrigger(UUID.randomUUID().toString());
    send(
        badId,
        "{not json".getBytes(StandardCharsets.UTF_8),
        CloudEventAttributes.of(EventType.TRIGGER, badId, URI.create("/test"), null, null));

    DecisionEvent decision = Json.read(awaitDecisionFor(badId).value(), DecisionEvent.class);

    assertThat(decision.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(decision.reasons()).extracting("code").containsExactly("UNREADABLE_TRIGGER");
  }

  @Test
  void onTrigger_genuineRecordCopiedWithNewIdByAPlainProducer_errorNamingTheSignature()
      throws Exception {
    String genuineId = Ids.githubTrigger(UUID.randomUUID().toString());
    send(
        genuineId,
        CanonicalJson.bytes(trigger(genuineId)),
        CloudEventAttributes.of(
            EventType.TRIGGER, genuineId, URI.create("/tollgate/gateway"), null, Instant.now()));
    ConsumerRecord<String, byte[]> genuine = awaitTrigger(genuineId);
    // What Kafka's console producer would write: the genuine record's headers (signature
    // included) and its data with a new delivery id and another sender, straight onto the topic.
    String forgedId = Ids.githubTrigger(UUID.randomUUID().toString());
    ObjectNode data = (ObjectNode) Json.readTree(genuine.value());
    data.put("triggerId", forgedId);
    ((ObjectNode) data.path("github")).put("deliveryId", forgedId.substring("github:".length()));
    ((ObjectNode) data.path("sender")).put("login", "forged-admin");
    Headers headers = new RecordHeaders(genuine.headers().toArray());
    headers.remove(KafkaCloudEvents.ID);
    headers.add(KafkaCloudEvents.ID, forgedId.getBytes(StandardCharsets.UTF_8));
    sendAsIs(forgedId, CanonicalJson.bytes(data), headers);

    ConsumerRecord<String, byte[]> record = awaitDecisionFor(null, forgedId);
    DecisionEvent decision = Json.read(record.value(), DecisionEvent.class);

    assertThat(decision.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(decision.reasons()).extracting("code").containsExactly("TRIGGER_SIGNATURE_INVALID");
    assertThat(decision.reasons().get(0).message())
        .contains("claiming trigger id " + forgedId, "signature does not verify");
    assertThat(decision.decisionId()).isNotEqualTo(Ids.decision(forgedId));
    assertThat(EventSignatures.verify(record.headers(), record.value(), TestEventKeys.verifiers()))
        .isEqualTo(new EventSignatures.Verified(TestEventKeys.verifier().keyId()));
  }

  @Test
  void onTrigger_decision_signedWithTheVerifiersOwnKeyOverTheExactBytes() throws Exception {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    send(
        triggerId,
        CanonicalJson.bytes(trigger(triggerId)),
        CloudEventAttributes.of(
            EventType.TRIGGER, triggerId, URI.create("/tollgate/gateway"), null, Instant.now()));

    ConsumerRecord<String, byte[]> record = awaitDecisionFor(triggerId);

    assertThat(EventSignatures.verify(record.headers(), record.value(), TestEventKeys.verifiers()))
        .isEqualTo(new EventSignatures.Verified(TestEventKeys.verifier().keyId()));
    assertThat(EventSignatures.verify(record.headers(), record.value(), TestEventKeys.gateways()))
        .isInstanceOf(EventSignatures.UnknownKey.class);
    byte[] altered = record.value().clone();
    altered[altered.length - 2] ^= 1;
    assertThat(EventSignatures.verify(record.headers(), altered, TestEventKeys.verifiers()))
        .isInstanceOf(EventSignatures.Invalid.class);
  }

  private static TriggerEvent trigger(String triggerId) {
    return new TriggerEvent(
        triggerId,
        TriggerEvent.Source.GITHUB,
        Instant.now(),
        "push",
        null,
        "octo-org/hello-world",
        "refs/heads/main",
        null,
        null,
        null,
        new TriggerEvent.Sender("octocat", 1),
        new TriggerEvent.GitHubDelivery(triggerId.substring("github:".length()), null, null),
        Sha256.digest(new byte[0]),
        0,
        null,
        false);
  }

  /** Sends a trigger record signed with the test gateway key, as the gateway does. */
  private void send(String key, byte[] value, CloudEventAttributes attributes) throws Exception {
    Headers headers = KafkaCloudEvents.headers(attributes);
    TestEventKeys.signAsGateway(headers, value);
    sendAsIs(key, value, headers);
  }

  private void sendAsIs(String key, byte[] value, Headers headers) throws Exception {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      producer
          .send(new ProducerRecord<>(EventType.TRIGGER.defaultTopic(), null, key, value, headers))
          .get();
    }
  }

  /** The trigger record with this key, read back from the triggers topic. */
  private ConsumerRecord<String, byte[]> awaitTrigger(String key) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> triggers = new KafkaConsumer<>(props)) {
      triggers.subscribe(List.of(EventType.TRIGGER.defaultTopic()));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                triggers
                    .poll(Duration.ofMillis(200))
                    .forEach(
                        r -> {
                          if (key.equals(r.key())) {
                            found.add(r);
                          }
                        });
                return !found.isEmpty();
              });
    }
    return found.get(0);
  }

  private ConsumerRecord<String, byte[]> awaitDecisionFor(String triggerId) {
    return awaitDecisionFor(triggerId, null);
  }

  /**
   * The decision keyed by {@code triggerId}, or else the one whose message names {@code quoted}.
   */
  private ConsumerRecord<String, byte[]> awaitDecisionFor(String triggerId, String quoted) {
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              decisions
                  .poll(Duration.ofMillis(200))
                  .forEach(
                      r -> {
                        if (r.key() != null && r.key().equals(triggerId)
                            || quoted != null
                                && new String(r.value(), StandardCharsets.UTF_8)
                                    .contains("claiming trigger id " + quoted)) {
                          found.add(r);
                        }
                      });
              return !found.isEmpty();
            });
    return found.get(0);
  }
}
