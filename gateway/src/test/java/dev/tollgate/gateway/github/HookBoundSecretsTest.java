package dev.tollgate.gateway.github;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.event.RejectionEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Secrets bound to their hooks, on the running gateway: hook A's secret (the tests' usual secret)
 * authenticates hook A's deliveries and no other hook's; the sender of a delivery claiming hook B
 * is answered as for a wrong secret, while the rejection event names the bound secret's misuse.
 */
@QuarkusTest
@TestProfile(HookBoundSecretsTest.BoundSecrets.class)
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class HookBoundSecretsTest extends WebhookRouteTestSupport {

  static final String HOOK_A = "418822301";
  static final String HOOK_B = "418822377";

  /** Two hooks, each with its own bound secret; unbound secrets refused at start. */
  public static class BoundSecrets implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "tollgate.github.webhook-secret",
          "",
          "tollgate.github.webhook-secrets[0].value",
          Fixtures.SECRET,
          "tollgate.github.webhook-secrets[0].hook-id",
          HOOK_A,
          "tollgate.github.webhook-secrets[1].value",
          "hook-b-secret-never-leaked",
          "tollgate.github.webhook-secrets[1].hook-id",
          HOOK_B,
          "tollgate.github.require-hook-binding",
          "true");
    }
  }

  @Test
  void deliver_leakedSecretOfHookAClaimingHookB_rejects401AsMismatchAndRecordsHookMismatch() {
    byte[] body = Fixtures.webhook("push_payload.json");
    String delivery = UUID.randomUUID().toString();

    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .header("X-GitHub-Hook-ID", HOOK_B)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_MISMATCH"));

    RejectionEvent rejection = awaitRejection(r -> delivery.equals(r.deliveryId()));
    assertThat(rejection.reason().code()).isEqualTo("SIGNATURE_HOOK_MISMATCH");
    assertThat(rejection.reason().message()).doesNotContain(Fixtures.SECRET);
  }

  @Test
  void deliver_secretOfHookAWithoutHookId_rejects401() {
    byte[] body = Fixtures.webhook("push_payload.json");

    signed(body, "push", UUID.randomUUID().toString())
        .post("/webhooks/github")
        .then()
        .statusCode(401)
        .body("code", equalTo("SIGNATURE_MISMATCH"));
  }

  @Test
  void deliver_secretOfHookAClaimingHookA_isAccepted() {
    byte[] body = Fixtures.webhook("push_payload.json");

    signed(body, "push", UUID.randomUUID().toString())
        .header("X-GitHub-Hook-ID", HOOK_A)
        .post("/webhooks/github")
        .then()
        .statusCode(202);
  }
}
