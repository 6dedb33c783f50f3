package dev.tollgate.gateway.github;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RejectionEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Reading a delivery's body: the size limit with and without a declared length, chunked bodies,
 * large bodies on a worker thread, and {@code Expect: 100-continue}.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class WebhookBodyTest extends WebhookRouteTestSupport {

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
}
