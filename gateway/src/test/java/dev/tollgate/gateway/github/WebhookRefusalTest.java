package dev.tollgate.gateway.github;

import static io.restassured.RestAssured.given;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RejectionEvent;
import dev.tollgate.schemas.json.Json;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Deliveries the gateway refuses before anything reaches Kafka: signatures, headers and payloads
 * that do not hold, each answered with a JSON reason and recorded as a rejection event.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class WebhookRefusalTest extends WebhookRouteTestSupport {

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
  void deliver_floodOfBadSignatures_isAggregatedIntoFewRejectionEvents() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String marker = "flood-" + UUID.randomUUID();
    int flood = 40;
    long started = System.nanoTime();

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
    long windows = 1 + Duration.ofNanos(System.nanoTime() - started).toMillis() / 2_000 + 1;

    // The window is 2 s in tests: per window the first rejection is emitted at once and the rest
    // as one event with their count. On a quiet machine the flood spans at most two windows; on a
    // loaded one it may span more, each adding at most two events.
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
    assertThat(events).hasSizeLessThanOrEqualTo((int) Math.min(2 * windows, flood / 4));
    assertThat(events).extracting(r -> r.reason().code()).containsOnly("SIGNATURE_MISMATCH");
    assertThat(events)
        .allSatisfy(
            r -> {
              assertThat(r.repository()).as("unsigned: no repository").isNull();
              assertThat(r.reason().message()).doesNotContain("guessed-secret");
            });
  }
}
