package dev.tollgate.gateway.emit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RejectionEvent;
import dev.tollgate.schemas.json.Json;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away and comes back: while it is down deliveries are answered 503 and readiness
 * is down; everything answered 202 before is still on the topic afterwards, and what was answered
 * 503 is accepted when GitHub redelivers it.
 */
@QuarkusTest
@TestProfile(KafkaOutageTest.ShortTimeouts.class)
@QuarkusTestResource(value = RestartableKafka.class, restrictToAnnotatedClass = true)
class KafkaOutageTest {

  /** Short bounds so the outage is noticed quickly. */
  public static class ShortTimeouts implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "tollgate.gateway.kafka-ack-timeout", "2s",
          "tollgate.kafka.triggers.max.block.ms", "1500",
          "tollgate.kafka.triggers.delivery.timeout.ms", "60000",
          // Rejection events Kafka does not take within a few seconds are refused back to the
          // gateway, which holds them and sends them again.
          "mp.messaging.outgoing.rejections.max.block.ms", "1500",
          "mp.messaging.outgoing.rejections.request.timeout.ms", "2000",
          "mp.messaging.outgoing.rejections.delivery.timeout.ms", "3000");
    }
  }

  RestartableKafka kafka;

  @TestHTTPResource(value = "/", management = true)
  URI management;

  private RequestSpecification managed() {
    // The injected URI ends in the management root path (/q/); requests here name full paths.
    return given()
        .baseUri(management.getScheme() + "://" + management.getHost())
        .port(management.getPort());
  }

  @Test
  void deliver_brokerDownThenBack_answers503WhileDownAndLosesNothingAcknowledged() {
    byte[] body = Fixtures.webhook("push_payload.json");
    List<String> before = List.of(uuid(), uuid(), uuid());
    for (String delivery : before) {
      deliver(body, delivery).then().statusCode(202);
    }

    kafka.down();
    String during = uuid();
    deliver(body, during).then().statusCode(503).header("Retry-After", "30");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> managed().get("/q/health/ready").statusCode() == 503);

    kafka.up();
    // GitHub (or the redelivery job) redelivers the failed delivery under the same id.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> deliver(body, during).statusCode() == 202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> managed().get("/q/health/ready").statusCode() == 200);

    Set<String> onTopic = triggerIds();
    for (String delivery : before) {
      assertThat(onTopic).contains(Ids.githubTrigger(delivery));
    }
    assertThat(onTopic).contains(Ids.githubTrigger(during));
  }

  @Test
  void reject_brokerDownThenBack_holdsRejectionEventsAndWritesThemWhenItIsBack() {
    byte[] body = Fixtures.webhook("push_payload.json");
    kafka.down();
    String forged = uuid();
    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign("guessed-secret", body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", forged)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401);
    // Kafka refused the event back to the gateway, which now holds it.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> heldRejections() >= 1);

    kafka.up();

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                rejections().stream()
                    .anyMatch(
                        r ->
                            forged.equals(r.deliveryId())
                                && "SIGNATURE_MISMATCH".equals(r.reason().code())));
    await().atMost(Duration.ofSeconds(30)).until(() -> heldRejections() == 0);
  }

  /** The tollgate.gateway.rejections.held gauge. */
  private double heldRejections() {
    for (String line : managed().get("/q/metrics").asString().split("\n")) {
      if (line.startsWith("tollgate_gateway_rejections_held ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    return -1;
  }

  private List<RejectionEvent> rejections() throws Exception {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<RejectionEvent> events = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(EventType.REJECTION.defaultTopic()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (!partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          events.add(Json.read(r.value(), RejectionEvent.class));
        }
      }
    }
    return events;
  }

  private Set<String> triggerIds() {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    Set<String> ids = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(EventType.TRIGGER.defaultTopic()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  ids.add(KafkaCloudEvents.read(r.headers()).id());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
    }
    return ids;
  }

  private static Response deliver(byte[] body, String delivery) {
    return given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .body(body)
        .post("/webhooks/github");
  }

  private static String uuid() {
    return UUID.randomUUID().toString();
  }
}
