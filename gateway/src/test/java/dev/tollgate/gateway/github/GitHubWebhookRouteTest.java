package dev.tollgate.gateway.github;

import static io.restassured.RestAssured.given;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The gateway against a real broker: GitHub's example payloads, signed here, in; trigger events
 * with CloudEvents headers out. Refusals are in {@link WebhookRefusalTest}, reading the body in
 * {@link WebhookBodyTest}, what identifies a delivery in {@link DeliveryIdentityTest}.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class GitHubWebhookRouteTest extends WebhookRouteTestSupport {

  @Test
  void deliver_signedPush_acceptsAndEmitsNormalizedTrigger() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();
    String triggerId = Ids.githubTrigger(delivery, "292093104");
    Instant before = Instant.now().minusSeconds(1);

    signed(body, "push", delivery)
        .header("X-GitHub-Hook-ID", "292093104")
        .post("/webhooks/github")
        .then()
        .statusCode(202)
        .contentType("application/json")
        .body("triggerId", equalTo(triggerId));

    ConsumerRecord<String, byte[]> record = awaitTrigger(triggerId);
    assertThat(record.key()).as("keyed by trigger id").isEqualTo(triggerId);
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
    assertThat(record.key()).isEqualTo(Ids.githubTrigger(delivery));
  }

  @Test
  void deliver_noRepository_keysByTriggerIdAndOmitsSubject() throws Exception {
    byte[] body =
        "{\"zen\":\"Design for failure.\",\"hook_id\":1,\"hook\":{}}"
            .getBytes(StandardCharsets.UTF_8);
    String delivery = UUID.randomUUID().toString();

    signed(body, "ping", delivery).post("/webhooks/github").then().statusCode(202);

    ConsumerRecord<String, byte[]> record = awaitTrigger(Ids.githubTrigger(delivery));
    assertThat(record.key()).isEqualTo(Ids.githubTrigger(delivery));
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
    managed()
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
    managed()
        .get("/q/metrics")
        .then()
        .body(containsString("tollgate_gateway_deliveries_ignored_total{event=\"star\"}"));
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
}
