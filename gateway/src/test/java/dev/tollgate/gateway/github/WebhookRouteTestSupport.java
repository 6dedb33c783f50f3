package dev.tollgate.gateway.github;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RejectionEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the webhook route tests share: consumers of the trigger and rejection topics of the embedded
 * broker, and requests signed as GitHub signs them.
 */
abstract class WebhookRouteTestSupport {

  static final Path GATEWAY_PUBLIC_KEY = Fixtures.testResource(Fixtures.SIGNING_PUBLIC_KEY);

  EmbeddedKafka kafka;

  @TestHTTPResource("/webhooks/github")
  URI webhooks;

  /** Quarkus' management interface: health, metrics, OpenAPI, on a port apart from the webhook. */
  @TestHTTPResource(value = "/", management = true)
  URI management;

  KafkaConsumer<String, byte[]> triggers;
  KafkaConsumer<String, byte[]> rejections;
  final Map<String, ConsumerRecord<String, byte[]>> seen = new HashMap<>();
  final List<RejectionEvent> rejectionsSeen = new ArrayList<>();
  final List<ConsumerRecord<String, byte[]>> rejectionRecords = new ArrayList<>();

  @BeforeEach
  void subscribe() {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    triggers = new KafkaConsumer<>(props);
    // Assigned rather than subscribed: no consumer group to join, so no rebalance wait per test.
    List<TopicPartition> partitions =
        triggers.partitionsFor(EventType.TRIGGER.defaultTopic()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    triggers.assign(partitions);
    triggers.seekToBeginning(partitions);
    rejections = new KafkaConsumer<>(props);
    List<TopicPartition> rejectionPartitions =
        rejections.partitionsFor(EventType.REJECTION.defaultTopic()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    rejections.assign(rejectionPartitions);
    rejections.seekToBeginning(rejectionPartitions);
  }

  @AfterEach
  void close() {
    triggers.close();
    rejections.close();
  }

  void pollRejections() throws Exception {
    for (ConsumerRecord<String, byte[]> r : rejections.poll(Duration.ofMillis(200))) {
      assertThat(KafkaCloudEvents.read(r.headers()).type()).isEqualTo(EventType.REJECTION.ceType());
      assertSignedByGateway(r);
      rejectionRecords.add(r);
      rejectionsSeen.add(Json.read(r.value(), RejectionEvent.class));
    }
  }

  RejectionEvent awaitRejection(Predicate<RejectionEvent> wanted) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              pollRejections();
              return rejectionsSeen.stream().anyMatch(wanted);
            });
    return rejectionsSeen.stream().filter(wanted).findFirst().orElseThrow();
  }

  HttpRequest.Builder webhookRequest(byte[] body, String delivery) {
    return HttpRequest.newBuilder(webhooks)
        .header("Content-Type", "application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery);
  }

  static RequestSpecification signed(byte[] body, String event, String delivery) {
    return given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .body(body);
  }

  /**
   * Proves a refused delivery left nothing on the topic: a correctly signed delivery with the same
   * body, hence the same key and partition, is sent after it; once that one is read, anything the
   * refused one had produced would have been read before it.
   */
  void assertNothingEmittedFor(String refusedTriggerId, byte[] sameKeyBody) {
    String marker = UUID.randomUUID().toString();
    signed(sameKeyBody, "push", marker).post("/webhooks/github").then().statusCode(202);
    awaitTrigger(Ids.githubTrigger(marker));
    assertThat(seen).doesNotContainKey(refusedTriggerId);
  }

  /** The gateway's test public key (signing/gateway-events.pub.pem), the only one trusted. */
  static EventKeyRing gatewayKeys() throws EventKeyException {
    return EventKeyRing.read("gateway", List.of(GATEWAY_PUBLIC_KEY));
  }

  /** Every record the gateway writes verifies under its own key: read back, never assumed. */
  static void assertSignedByGateway(ConsumerRecord<String, byte[]> r) throws EventKeyException {
    EventKeyRing keys = gatewayKeys();
    String keyId = keys.keys().keySet().iterator().next();
    assertThat(EventSignatures.verify(r.headers(), r.value(), keys))
        .as("signature of the record at offset %d of %s", r.offset(), r.topic())
        .isEqualTo(new EventSignatures.Verified(keyId));
  }

  /** A request to the management interface. */
  RequestSpecification managed() {
    // The injected URI ends in the management root path (/q/); requests here name full paths.
    return given()
        .baseUri(management.getScheme() + "://" + management.getHost())
        .port(management.getPort());
  }

  ConsumerRecord<String, byte[]> awaitTrigger(String triggerId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (ConsumerRecord<String, byte[]> r : triggers.poll(Duration.ofMillis(200))) {
                assertSignedByGateway(r);
                seen.put(KafkaCloudEvents.read(r.headers()).id(), r);
              }
              return seen.containsKey(triggerId);
            });
    return seen.get(triggerId);
  }
}
