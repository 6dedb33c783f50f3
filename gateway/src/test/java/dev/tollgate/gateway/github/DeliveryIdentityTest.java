package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What identifies a delivery and what its signed body may be taken for: the hook it was sent to is
 * part of its trigger id, and a signed body counts only as the event it was sent for.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class DeliveryIdentityTest extends WebhookRouteTestSupport {

  @Test
  void deliver_signedPullRequestResentAsPush_rejects400AndEmitsNothing() {
    byte[] pullRequest = Fixtures.webhook("pull_request_opened.payload.json");
    String captured = UUID.randomUUID().toString();
    signed(pullRequest, "pull_request", captured).post("/webhooks/github").then().statusCode(202);
    String replayed = UUID.randomUUID().toString();

    signed(pullRequest, "push", replayed)
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("PAYLOAD_EVENT_MISMATCH"));

    // The push fixture is for the same repository, hence the same key and partition.
    assertNothingEmittedFor(Ids.githubTrigger(replayed), Fixtures.webhook("push_payload.json"));
    assertThat(awaitRejection(r -> replayed.equals(r.deliveryId())).reason().code())
        .isEqualTo("PAYLOAD_EVENT_MISMATCH");
  }

  @Test
  void deliver_issueCommentResentAsIssues_rejects400() {
    byte[] comment = Fixtures.webhook("issue_comment_created.payload.json");

    signed(comment, "issues", UUID.randomUUID().toString())
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("PAYLOAD_EVENT_MISMATCH"))
        .body("message", org.hamcrest.Matchers.containsString("comment"));
  }

  @Test
  void deliver_eventWithoutKnownShape_answers200IgnoredAndEmitsNothing() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();

    signed(body, "some_future_event", delivery)
        .post("/webhooks/github")
        .then()
        .statusCode(200)
        .body("outcome", equalTo("ignored"));

    assertNothingEmittedFor(Ids.githubTrigger(delivery), body);
  }

  @Test
  void deliver_sameDeliveryToTwoHooks_acceptsEachUnderItsOwnTriggerId() throws Exception {
    // GitHub sends one X-GitHub-Delivery to every hook subscribed to the event; the bodies of
    // two hooks may differ (here: the hook's own content, as a second app's hook would get).
    byte[] first = Fixtures.webhook("push_payload.json");
    ObjectNode other = (ObjectNode) Json.readTree(first);
    other.put("compare", "https://github.com/Codertocat/Hello-World/compare/other");
    byte[] second = Json.mapper().writeValueAsBytes(other);
    String delivery = UUID.randomUUID().toString();

    signed(first, "push", delivery)
        .header(DeliveryHeaders.HOOK_ID, "1001")
        .post("/webhooks/github")
        .then()
        .statusCode(202)
        .body("triggerId", equalTo("github:" + delivery + "@1001"));
    signed(second, "push", delivery)
        .header(DeliveryHeaders.HOOK_ID, "1002")
        .post("/webhooks/github")
        .then()
        .statusCode(202)
        .body("triggerId", equalTo("github:" + delivery + "@1002"));

    TriggerEvent one =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery, "1001")).value(), TriggerEvent.class);
    TriggerEvent two =
        Json.read(awaitTrigger(Ids.githubTrigger(delivery, "1002")).value(), TriggerEvent.class);
    assertThat(one.github().hookId()).isEqualTo("1001");
    assertThat(two.github().hookId()).isEqualTo("1002");
    assertThat(one.github().deliveryId()).isEqualTo(two.github().deliveryId()).isEqualTo(delivery);
  }

  @Test
  void deliver_sameDeliveryAndHookOtherBody_rejects400() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    ObjectNode changed = (ObjectNode) Json.readTree(body);
    changed.put("ref", "refs/heads/attacker");
    byte[] forged = Json.mapper().writeValueAsBytes(changed);
    String delivery = UUID.randomUUID().toString();
    signed(body, "push", delivery)
        .header(DeliveryHeaders.HOOK_ID, "1001")
        .post("/webhooks/github")
        .then()
        .statusCode(202);

    signed(forged, "push", delivery)
        .header(DeliveryHeaders.HOOK_ID, "1001")
        .post("/webhooks/github")
        .then()
        .statusCode(400)
        .body("code", equalTo("DELIVERY_ID_REUSED"));
  }
}
