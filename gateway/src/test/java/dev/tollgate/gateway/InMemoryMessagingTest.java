package dev.tollgate.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.gateway.emit.KafkaClients;
import dev.tollgate.gateway.external.LocalIssuer;
import dev.tollgate.gateway.external.LocalIssuerResource;
import dev.tollgate.gateway.github.JournalRecord;
import dev.tollgate.gateway.testing.InMemoryKafkaClients;
import dev.tollgate.gateway.testing.InMemoryMessaging;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RejectionEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.SigningCanonicalJsonSerializer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's messaging in the fast tier (no broker): rejections through SmallRye's in-memory
 * connector, triggers and the delivery journal through {@link InMemoryKafkaClients}, the rest of
 * the service real. What each request emits is read back and checked: key, CloudEvents headers,
 * payload and the gateway's signature. The same paths against a real broker are in
 * GitHubWebhookRouteTest, SignedEventsTest, ExternalTriggerResourceTest and DeliveryJournalTest.
 */
@QuarkusTest
@TestProfile(InMemoryMessaging.class)
@QuarkusTestResource(value = LocalIssuerResource.class, restrictToAnnotatedClass = true)
class InMemoryMessagingTest {

  @Inject @Any InMemoryConnector connector;
  @Inject KafkaClients clients;

  @ConfigProperty(name = "tollgate.signing.key-file")
  String signingKeyFile;

  LocalIssuer issuer;

  private InMemorySink<RejectionEvent> rejections;

  @BeforeEach
  void clear() {
    rejections = connector.sink("rejections");
    rejections.clear();
  }

  private static EventKeyRing gatewayKey() throws Exception {
    return EventKeyRing.read(
        "gateway", List.of(Fixtures.testResource(Fixtures.SIGNING_PUBLIC_KEY)));
  }

  private MockProducer<String, Object> triggers() {
    return ((InMemoryKafkaClients) clients).producer("tollgate-gateway-triggers");
  }

  private List<ProducerRecord<String, Object>> emitted(String triggerId) {
    return triggers().history().stream()
        .filter(r -> triggerId.equals(header(r.headers(), KafkaCloudEvents.ID)))
        .toList();
  }

  private static String header(Headers headers, String name) {
    return headers.lastHeader(name) == null
        ? null
        : new String(headers.lastHeader(name).value(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The trigger record: signed by the gateway's key over exactly its value, as on a broker. */
  private TriggerEvent assertSignedTrigger(ProducerRecord<String, Object> record) throws Exception {
    byte[] value = (byte[]) record.value();
    assertThat(EventSignatures.verify(record.headers(), value, gatewayKey()))
        .isInstanceOf(EventSignatures.Verified.class);
    CloudEventAttributes ce = KafkaCloudEvents.read(record.headers());
    assertThat(ce.type()).isEqualTo(EventType.TRIGGER.ceType());
    TriggerEvent trigger = Json.read(value, TriggerEvent.class);
    assertThat(ce.id()).isEqualTo(trigger.triggerId());
    return trigger;
  }

  @Test
  void webhook_signedPush_emitsOneSignedTriggerAndASignedJournalRecord() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();
    String triggerId = Ids.githubTrigger(delivery);

    signed(body, "push", delivery).post("/webhooks/github").then().statusCode(202);
    // GitHub's redelivery: recognized, nothing emitted again.
    signed(body, "push", delivery).post("/webhooks/github").then().statusCode(200);

    List<ProducerRecord<String, Object>> records = emitted(triggerId);
    assertThat(records).hasSize(1);
    TriggerEvent trigger = assertSignedTrigger(records.get(0));
    assertThat(trigger.triggerId()).isEqualTo(triggerId);
    assertThat(trigger.event()).isEqualTo("push");
    assertThat(trigger.repository()).isEqualTo("Codertocat/Hello-World");
    // Keyed by trigger id, so a busy monorepo spreads over the partitions (issue 19).
    assertThat(records.get(0).key()).isEqualTo(triggerId);
    assertThat(records.get(0).topic()).isEqualTo(EventType.TRIGGER.defaultTopic());

    MockProducer<String, byte[]> journal =
        ((InMemoryKafkaClients) clients).producer("tollgate-gateway-deliveries");
    ProducerRecord<String, byte[]> accepted =
        journal.history().stream().filter(r -> triggerId.equals(r.key())).findFirst().orElseThrow();
    assertThat(
            JournalRecord.read(accepted.key(), accepted.headers(), accepted.value(), gatewayKey()))
        .isInstanceOf(JournalRecord.Genuine.class);
  }

  @Test
  void webhook_signatureMismatch_refused401WithASignableRejectionAndNoTrigger() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign("not-the-secret", body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_MISMATCH"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                rejections.received().stream()
                    .anyMatch(m -> delivery.equals(m.getPayload().deliveryId())));
    Message<RejectionEvent> out =
        rejections.received().stream()
            .filter(m -> delivery.equals(m.getPayload().deliveryId()))
            .findFirst()
            .orElseThrow();
    RejectionEvent rejection = out.getPayload();
    assertThat(rejection.reason().code()).isEqualTo("SIGNATURE_MISMATCH");
    assertThat(rejection.event()).isEqualTo("push");
    assertThat(rejection.count()).isEqualTo(1);
    @SuppressWarnings("unchecked") // the channel's keys are strings
    OutgoingKafkaRecordMetadata<String> kafka =
        out.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
    assertThat(kafka.getKey()).isEqualTo(rejection.remoteAddress());
    CloudEventAttributes ce = KafkaCloudEvents.read(kafka.getHeaders());
    assertThat(ce.type()).isEqualTo(EventType.REJECTION.ceType());
    assertThat(ce.id()).isEqualTo(rejection.rejectionId());
    // The channel's serializer signs what the connector hands it: these headers and this payload
    // are enough for a signature that verifies under the gateway's key.
    try (SigningCanonicalJsonSerializer serializer = new SigningCanonicalJsonSerializer()) {
      serializer.configure(Map.of(SigningCanonicalJsonSerializer.KEY_FILE, signingKeyFile), false);
      Headers headers = kafka.getHeaders();
      byte[] value = serializer.serialize(EventType.REJECTION.defaultTopic(), headers, rejection);
      assertThat(EventSignatures.verify(headers, value, gatewayKey()))
          .isInstanceOf(EventSignatures.Verified.class);
    }
    assertThat(emitted(Ids.githubTrigger(delivery))).isEmpty();
  }

  @Test
  void external_validToken_emitsOneSignedExternalTrigger() throws Exception {
    String jti = UUID.randomUUID().toString();
    String token =
        issuer.token(
            issuer.url(),
            LocalIssuerResource.SUBJECT,
            LocalIssuer.AUDIENCE,
            Instant.now().plusSeconds(300),
            jti,
            false);
    String triggerId = "external:nightly-scan@" + jti;

    given()
        .header("Authorization", "Bearer " + token)
        .post("/triggers/nightly-scan")
        .then()
        .statusCode(202)
        .body("triggerId", equalTo(triggerId));

    List<ProducerRecord<String, Object>> records = emitted(triggerId);
    assertThat(records).hasSize(1);
    TriggerEvent trigger = assertSignedTrigger(records.get(0));
    assertThat(trigger.source()).isEqualTo(TriggerEvent.Source.EXTERNAL);
    assertThat(trigger.repository()).isEqualTo("acme/payments");
    assertThat(trigger.caller().subject()).isEqualTo(LocalIssuerResource.SUBJECT);
    assertThat(records.get(0).key()).isEqualTo(trigger.triggerId());
  }

  @Test
  void benchmark_productionGateway_servesNoTrivialEndpoint() {
    given().body(new byte[] {1}).post("/benchmark/trivial").then().statusCode(404);
  }

  private static io.restassured.specification.RequestSpecification signed(
      byte[] body, String event, String delivery) {
    return given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .body(body);
  }
}
