package dev.tollgate.gateway.github;

import static io.restassured.RestAssured.given;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RejectionEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
import org.junit.jupiter.api.Test;

/**
 * The gateway against a real broker: GitHub's example payloads, signed here, in; trigger events
 * with CloudEvents headers out, or nothing out and a JSON error back.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class GitHubWebhookRouteTest {

  EmbeddedKafka kafka;

  @TestHTTPResource("/webhooks/github")
  URI webhooks;

  private KafkaConsumer<String, byte[]> triggers;
  private KafkaConsumer<String, byte[]> rejections;
  private final Map<String, ConsumerRecord<String, byte[]>> seen = new HashMap<>();
  private final List<RejectionEvent> rejectionsSeen = new ArrayList<>();

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

  private void pollRejections() throws Exception {
    for (ConsumerRecord<String, byte[]> r : rejections.poll(Duration.ofMillis(200))) {
      assertThat(KafkaCloudEvents.read(r.headers()).type()).isEqualTo(EventType.REJECTION.ceType());
      rejectionsSeen.add(Json.read(r.value(), RejectionEvent.class));
    }
  }

  private RejectionEvent awaitRejection(Predicate<RejectionEvent> wanted) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              pollRejections();
              return rejectionsSeen.stream().anyMatch(wanted);
            });
    return rejectionsSeen.stream().filter(wanted).findFirst().orElseThrow();
  }

  @Test
  void deliver_signedPush_acceptsAndEmitsNormalizedTrigger() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();
    String triggerId = Ids.githubTrigger(delivery);
    Instant before = Instant.now().minusSeconds(1);

    signed(body, "push", delivery)
        .header("X-GitHub-Hook-ID", "292093104")
        .post("/webhooks/github")
        .then()
        .statusCode(202)
        .contentType("application/json")
        .body("triggerId", equalTo(triggerId));

    ConsumerRecord<String, byte[]> record = awaitTrigger(triggerId);
    assertThat(record.key()).isEqualTo("Codertocat/Hello-World");
    TriggerEvent trigger = Json.read(record.value(), TriggerEvent.class);
    assertThat(Json.readTree(record.value()))
        .as("the value is the trigger's JSON: what the ledger canonicalizes is the same value")
        .isEqualTo(Json.readTree(CanonicalJson.bytes(trigger)));
    assertThat(trigger.triggerId()).isEqualTo(triggerId);
    assertThat(trigger.source()).isEqualTo(TriggerEvent.Source.GITHUB);
    assertThat(trigger.receivedAt()).isBetween(before, Instant.now());
    assertThat(trigger.event()).isEqualTo("push");
    assertThat(trigger.repository()).isEqualTo("Codertocat/Hello-World");
    assertThat(trigger.ref()).isEqualTo("refs/tags/simple-tag");
    assertThat(trigger.before()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assertThat(trigger.after()).isEqualTo("0000000000000000000000000000000000000000");
    assertThat(trigger.headSha()).isEqualTo(trigger.after());
    assertThat(trigger.sender()).isEqualTo(new TriggerEvent.Sender("Codertocat", 21031067));
    assertThat(trigger.github())
        .isEqualTo(new TriggerEvent.GitHubDelivery(delivery, "292093104", null));
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(body));
    assertThat(trigger.payloadSize()).isEqualTo(body.length);
    assertThat(trigger.payload()).isEqualTo(Json.readTree(body));
    assertThat(trigger.payloadTruncated()).isFalse();

    CloudEventAttributes ce = KafkaCloudEvents.read(record.headers());
    assertThat(ce.id()).isEqualTo(triggerId);
    assertThat(ce.type()).isEqualTo(EventType.TRIGGER.ceType());
    assertThat(ce.source()).isEqualTo(URI.create("/tollgate/gateway"));
    assertThat(ce.subject()).isEqualTo("Codertocat/Hello-World");
    assertThat(ce.time()).isEqualTo(trigger.receivedAt());
    assertThat(ce.dataContentType()).isEqualTo("application/json");
    assertThat(record.headers().headers("ce_id"))
        .as("one mapping: SmallRye's own CloudEvents writer is off")
        .hasSize(1);
  }

  @Test
  void deliver_signedPullRequestOpened_emitsPullRequestHeadSha() throws Exception {
    String delivery = UUID.randomUUID().toString();

    signed(Fixtures.webhook("pull_request_opened.payload.json"), "pull_request", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(202)
        .body("triggerId", equalTo(Ids.githubTrigger(delivery)));

    TriggerEvent trigger =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery)).value(), TriggerEvent.class);
    assertThat(trigger.event()).isEqualTo("pull_request");
    assertThat(trigger.action()).isEqualTo("opened");
    assertThat(trigger.headSha()).isEqualTo("ec26c3e57ca3a959ca5aad62de7213c562f8c821");
    assertThat(trigger.github().installationId()).isEqualTo(1L);
  }

  @Test
  void deliver_signedWithSecretBeingRotatedOut_accepts() {
    byte[] body = Fixtures.webhook("ping_payload.json");
    String delivery = UUID.randomUUID().toString();

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.OLD_SECRET, body))
        .header("X-GitHub-Event", "ping")
        .header("X-GitHub-Delivery", delivery)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(202);

    ConsumerRecord<String, byte[]> record = awaitTrigger(Ids.githubTrigger(delivery));
    assertThat(record.key()).isEqualTo("Octocoders/Hello-World");
  }

  @Test
  void deliver_noRepository_keysByEventAndOmitsSubject() throws Exception {
    byte[] body =
        "{\"zen\":\"Design for failure.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
    String delivery = UUID.randomUUID().toString();

    signed(body, "ping", delivery).post("/webhooks/github").then().statusCode(202);

    ConsumerRecord<String, byte[]> record = awaitTrigger(Ids.githubTrigger(delivery));
    assertThat(record.key()).isEqualTo("ping");
    assertThat(KafkaCloudEvents.read(record.headers()).subject()).isNull();
  }

  @Test
  void deliver_bodyOverEmbeddingLimit_acceptsWithPayloadTruncated() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    push.put("padding", "x".repeat(70_000));
    byte[] body = Json.mapper().writeValueAsBytes(push);
    String delivery = UUID.randomUUID().toString();

    signed(body, "push", delivery).post("/webhooks/github").then().statusCode(202);

    TriggerEvent trigger =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery)).value(), TriggerEvent.class);
    assertThat(trigger.payloadTruncated()).isTrue();
    assertThat(trigger.payload() == null || trigger.payload().isNull())
        .as("no payload: %s", trigger.payload())
        .isTrue();
    assertThat(trigger.payloadSize()).isEqualTo(body.length);
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(body));
    assertThat(trigger.repository()).isEqualTo("Codertocat/Hello-World");
  }

  @Test
  void deliver_wrongSecret_rejects401AndEmitsNothing() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String forged = UUID.randomUUID().toString();

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign("guessed-secret", body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", forged)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .contentType("application/json")
        .body("code", equalTo("SIGNATURE_MISMATCH"))
        .body("message", containsString("X-Hub-Signature-256"));

    assertNothingEmittedFor(Ids.githubTrigger(forged), body);
  }

  @Test
  void deliver_sha1Signature_rejects401AndEmitsNothing() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();

    given()
        .contentType("application/json")
        .header("X-Hub-Signature", Fixtures.signSha1(Fixtures.SECRET, body))
        .header("X-Hub-Signature-256", Fixtures.signSha1(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_UNSUPPORTED_ALGORITHM"));

    assertNothingEmittedFor(Ids.githubTrigger(delivery), body);
  }

  @Test
  void deliver_onlyLegacySha1Header_rejects401AsMissing() {
    byte[] body = Fixtures.webhook("push_payload.json");

    given()
        .contentType("application/json")
        .header("X-Hub-Signature", Fixtures.signSha1(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_MISSING"));
  }

  @Test
  void deliver_unsignedWithoutAnyHeaders_rejects401BeforeLookingAtHeaders() {
    given()
        .contentType("application/json")
        .body("not even json")
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_MISSING"));
  }

  @Test
  void deliver_signatureHeaderTwice_rejects401() {
    byte[] body = Fixtures.webhook("ping_payload.json");

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-Hub-Signature-256", Fixtures.sign("guessed-secret", body))
        .header("X-GitHub-Event", "ping")
        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_MALFORMED"));
  }

  @Test
  void deliver_missingEventHeader_rejects400() {
    byte[] body = Fixtures.webhook("push_payload.json");

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("HEADER_MISSING"))
        .body("message", containsString("X-GitHub-Event"));
  }

  @Test
  void deliver_missingDeliveryHeader_rejects400() {
    byte[] body = Fixtures.webhook("push_payload.json");

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("HEADER_MISSING"))
        .body("message", containsString("X-GitHub-Delivery"));
  }

  @Test
  void deliver_invalidDeliveryId_rejects400() {
    byte[] body = Fixtures.webhook("push_payload.json");

    signed(body, "push", "../../etc/passwd")
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("HEADER_INVALID"));
  }

  @Test
  void deliver_invalidEventName_rejects400() {
    byte[] body = Fixtures.webhook("push_payload.json");

    signed(body, "Push", UUID.randomUUID().toString())
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("HEADER_INVALID"));
  }

  @Test
  void deliver_signedMalformedJson_rejects400WithJsonError() {
    byte[] body = "{\"ref\": \"refs/heads/main\",".getBytes(StandardCharsets.UTF_8);
    String delivery = UUID.randomUUID().toString();

    signed(body, "push", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .contentType("application/json")
        .body("code", equalTo("PAYLOAD_MALFORMED"));
  }

  @Test
  void deliver_signedPayloadWithMalformedSha_rejects400NamingTheField() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    push.put("after", "HEAD");
    byte[] body = Json.mapper().writeValueAsBytes(push);
    String delivery = UUID.randomUUID().toString();

    signed(body, "push", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("PAYLOAD_INVALID"))
        .body("message", containsString("after"));

    assertNothingEmittedFor(Ids.githubTrigger(delivery), Fixtures.webhook("push_payload.json"));
  }

  @Test
  void deliver_formEncodedSigned_acceptsWithDigestOverRawBytes() throws Exception {
    byte[] json = Fixtures.webhook("push_payload.json");
    byte[] body =
        ("payload=" + URLEncoder.encode(new String(json, StandardCharsets.UTF_8), UTF_8))
            .getBytes(StandardCharsets.US_ASCII);
    String delivery = UUID.randomUUID().toString();

    given()
        .contentType("application/x-www-form-urlencoded")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .body(new String(body, StandardCharsets.US_ASCII))
        .post("/webhooks/github")
        .then()
        .statusCode(202)
        .body("triggerId", equalTo(Ids.githubTrigger(delivery)));

    TriggerEvent trigger =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery)).value(), TriggerEvent.class);
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(body));
    assertThat(trigger.payloadSize()).isEqualTo(body.length);
    assertThat(trigger.payload()).isEqualTo(Json.readTree(json));
    assertThat(trigger.repository()).isEqualTo("Codertocat/Hello-World");
  }

  @Test
  void deliver_formEncodedSignedOverDecodedJson_rejects401() {
    byte[] json = Fixtures.webhook("push_payload.json");
    String body = "payload=" + URLEncoder.encode(new String(json, StandardCharsets.UTF_8), UTF_8);

    given()
        .contentType("application/x-www-form-urlencoded")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, json))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_MISMATCH"));
  }

  @Test
  void deliver_formEncodedWithoutPayloadField_rejects400() {
    byte[] body = "zen=hello".getBytes(StandardCharsets.US_ASCII);

    given()
        .contentType("application/x-www-form-urlencoded")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .body(new String(body, StandardCharsets.US_ASCII))
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("PAYLOAD_MALFORMED"));
  }

  @Test
  void deliver_textPlain_rejects415() {
    byte[] body = Fixtures.webhook("push_payload.json");

    given()
        .contentType("text/plain")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(415)
        .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
  }

  @Test
  void deliver_signedWithExpiredSecret_rejects401AsExpired() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.EXPIRED_SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_SECRET_EXPIRED"))
        .body("message", not(containsString(Fixtures.EXPIRED_SECRET)));

    assertNothingEmittedFor(Ids.githubTrigger(delivery), body);
  }

  @Test
  void deliver_sameDeliveryAgainSameBody_answers200AndEmitsNothingNew() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();
    signed(body, "push", delivery).post("/webhooks/github").then().statusCode(202);
    awaitTrigger(Ids.githubTrigger(delivery));
    seen.clear();

    signed(body, "push", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(200)
        .body("triggerId", equalTo(Ids.githubTrigger(delivery)))
        .body("outcome", equalTo("duplicate"));

    assertNothingEmittedFor(Ids.githubTrigger(delivery), body);
    given()
        .get("/q/metrics")
        .then()
        .body(
            containsString(
                "tollgate_gateway_deliveries_total{code=\"DUPLICATE\",outcome=\"duplicate\"}"));
  }

  @Test
  void deliver_sameDeliveryIdOtherBody_rejects400AndEmitsRejection() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();
    signed(body, "push", delivery).post("/webhooks/github").then().statusCode(202);
    awaitTrigger(Ids.githubTrigger(delivery));
    ObjectNode changed = (ObjectNode) Json.readTree(body);
    changed.put("ref", "refs/heads/attacker");
    byte[] forged = Json.mapper().writeValueAsBytes(changed);
    seen.clear();

    signed(forged, "push", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("DELIVERY_ID_REUSED"));

    assertNothingEmittedFor(Ids.githubTrigger(delivery), body);
    RejectionEvent rejection = awaitRejection(r -> delivery.equals(r.deliveryId()));
    assertThat(rejection.reason().code()).isEqualTo("DELIVERY_ID_REUSED");
    assertThat(rejection.repository()).isEqualTo("Codertocat/Hello-World");
    assertThat(rejection.event()).isEqualTo("push");
    assertThat(rejection.remoteAddress()).isEqualTo("127.0.0.1");
    assertThat(rejection.count()).isEqualTo(1);
  }

  @Test
  void deliver_ignoredEvent_answers200AndEmitsNothing() {
    byte[] body = "{\"action\":\"created\"}".getBytes(StandardCharsets.UTF_8);
    String delivery = UUID.randomUUID().toString();

    signed(body, "star", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(200)
        .body("outcome", equalTo("ignored"));

    assertNothingEmittedFor(Ids.githubTrigger(delivery), Fixtures.webhook("push_payload.json"));
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("tollgate_gateway_deliveries_ignored_total{event=\"star\"}"));
  }

  @Test
  void deliver_ignoredEventUnsigned_stillRejects401() {
    given()
        .contentType("application/json")
        .header("X-GitHub-Event", "star")
        .header("X-GitHub-Delivery", UUID.randomUUID().toString())
        .body("{}")
        .post("/webhooks/github")
        .then()
        .statusCode(401);
  }

  @Test
  void deliver_pushWithoutGitHubApi_emitsIdentityUnverifiedWithReason() throws Exception {
    String delivery = UUID.randomUUID().toString();

    signed(Fixtures.webhook("push_payload.json"), "push", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(202);

    TriggerEvent trigger =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery)).value(), TriggerEvent.class);
    assertThat(trigger.identity().verified()).isFalse();
    assertThat(trigger.identity().unverifiedReason()).isEqualTo("GITHUB_API_NOT_CONFIGURED");
    assertThat(trigger.identity().fromFork()).isFalse();
  }

  @Test
  void deliver_floodOfBadSignatures_isAggregatedIntoFewRejectionEvents() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String marker = "flood-" + UUID.randomUUID();
    int flood = 40;

    for (int i = 0; i < flood; i++) {
      given()
          .contentType("application/json")
          .header("X-Hub-Signature-256", Fixtures.sign("guessed-secret-" + i, body))
          .header("X-GitHub-Event", "push")
          .header("X-GitHub-Delivery", marker)
          .body(body)
          .post("/webhooks/github")
          .then()
          .statusCode(401);
    }

    // The window is 2 s in tests: per window the first rejection is emitted at once and the rest
    // as one event with their count; the flood spans at most two windows.
    List<RejectionEvent> events = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              pollRejections();
              events.clear();
              rejectionsSeen.stream()
                  .filter(r -> marker.equals(r.deliveryId()))
                  .forEach(events::add);
              return events.stream().mapToInt(RejectionEvent::count).sum() >= flood;
            });
    assertThat(events).hasSizeLessThanOrEqualTo(4);
    assertThat(events).extracting(r -> r.reason().code()).containsOnly("SIGNATURE_MISMATCH");
    assertThat(events)
        .allSatisfy(
            r -> {
              assertThat(r.repository()).as("unsigned: no repository").isNull();
              assertThat(r.reason().message()).doesNotContain("guessed-secret");
            });
  }

  @Test
  void deliver_bodyOverLimit_rejects413WithReason() {
    // The test configuration lowers quarkus.http.limits.max-body-size to 1M.
    byte[] body = new byte[1024 * 1024 + 1];
    String delivery = UUID.randomUUID().toString();

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(413)
        .body("code", equalTo("PAYLOAD_TOO_LARGE"));

    assertThat(awaitRejection(r -> delivery.equals(r.deliveryId())).reason().code())
        .isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  void deliver_chunkedBodyOverLimit_rejects413AndEmitsRejection() throws Exception {
    // No Content-Length: the HTTP layer only finds out while reading. The test configuration
    // lowers quarkus.http.limits.max-body-size to 1M.
    byte[] body = new byte[1024 * 1024 + 4096];
    String delivery = UUID.randomUUID().toString();
    HttpRequest request =
        HttpRequest.newBuilder(webhooks)
            .header("Content-Type", "application/json")
            .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", delivery)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();

    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding());
      assertThat(response.statusCode()).isEqualTo(413);
    } catch (IOException closedWhileSending) {
      // The server may close the connection before the client sent the rest of the body; the
      // rejection event below is then the only evidence, and enough.
    }

    RejectionEvent rejection = awaitRejection(r -> delivery.equals(r.deliveryId()));
    assertThat(rejection.reason().code()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(rejection.event()).isEqualTo("push");
  }

  @Test
  void deliver_chunkedBodyUnderLimit_acceptsWithDigestOverAllChunks() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();

    // HTTP/1.1: no Content-Length, so the body comes chunked.
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                webhookRequest(body, delivery)
                    .POST(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(body)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    TriggerEvent trigger =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery)).value(), TriggerEvent.class);
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(body));
    assertThat(trigger.payloadSize()).isEqualTo(body.length);
  }

  @Test
  void deliver_bodyOverEventLoopLimit_isHandledOnAWorkerAndAccepted() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    push.put("padding", "x".repeat(GitHubWebhookRoute.EVENT_LOOP_MAX_BODY));
    byte[] body = Json.mapper().writeValueAsBytes(push);
    String delivery = UUID.randomUUID().toString();

    signed(body, "push", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(202)
        .body("triggerId", equalTo(Ids.githubTrigger(delivery)));

    TriggerEvent trigger =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery)).value(), TriggerEvent.class);
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(body));
  }

  @Test
  void deliver_expect100Continue_continuesAndAccepts() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();

    HttpResponse<String> response =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                webhookRequest(body, delivery)
                    .expectContinue(true)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  @Test
  void deliver_unknownExpectation_answers417() {
    byte[] body = Fixtures.webhook("push_payload.json");

    signed(body, "push", UUID.randomUUID().toString())
        .header("Expect", "something-else")
        .post("/webhooks/github")
        .then()
        .statusCode(417);
  }

  private HttpRequest.Builder webhookRequest(byte[] body, String delivery) {
    return HttpRequest.newBuilder(webhooks)
        .header("Content-Type", "application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery);
  }

  @Test
  void health_brokerUp_isReady() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("webhook-secrets", "kafka"));
  }

  @Test
  void openapi_document_describesTheEndpoints() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths", hasKey("/webhooks/github"))
        .body("paths", hasKey("/triggers/{name}"))
        // The webhook route's part comes from META-INF/openapi.yaml: what it refers to is there.
        .body(
            "paths.'/webhooks/github'.post.responses",
            allOf(hasKey("202"), hasKey("401"), hasKey("413"), hasKey("503")))
        .body("paths.'/webhooks/github'.post.responses.'503'.headers", hasKey("Retry-After"))
        .body("components.schemas", allOf(hasKey("AcceptedBody"), hasKey("ErrorBody")))
        .body("components.schemas.AcceptedBody.properties", hasKey("triggerId"))
        .body("components.schemas.ErrorBody.properties", hasKey("code"));
  }

  @Test
  void metrics_afterAcceptedDelivery_hasAckLatencyHistogramAndReceived() {
    signed(Fixtures.webhook("ping_payload.json"), "ping", UUID.randomUUID().toString())
        .post("/webhooks/github")
        .then()
        .statusCode(202);

    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("tollgate_gateway_kafka_ack_seconds_bucket{outcome=\"acknowledged\""))
        .body(containsString("tollgate_gateway_deliveries_received_total"));
  }

  @Test
  void metrics_afterDeliveries_countsOutcomes() {
    given()
        .contentType("application/json")
        .body("{}")
        .post("/webhooks/github")
        .then()
        .statusCode(401);

    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "tollgate_gateway_deliveries_total{code=\"SIGNATURE_MISSING\",outcome=\"rejected\""));
  }

  private static RequestSpecification signed(byte[] body, String event, String delivery) {
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
  private void assertNothingEmittedFor(String refusedTriggerId, byte[] sameKeyBody) {
    String marker = UUID.randomUUID().toString();
    signed(sameKeyBody, "push", marker).post("/webhooks/github").then().statusCode(202);
    awaitTrigger(Ids.githubTrigger(marker));
    assertThat(seen).doesNotContainKey(refusedTriggerId);
  }

  private ConsumerRecord<String, byte[]> awaitTrigger(String triggerId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              for (ConsumerRecord<String, byte[]> r : triggers.poll(Duration.ofMillis(200))) {
                seen.put(KafkaCloudEvents.read(r.headers()).id(), r);
              }
              return seen.containsKey(triggerId);
            });
    return seen.get(triggerId);
  }
}
