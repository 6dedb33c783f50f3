package dev.tollgate.gateway.github;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;

import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Health, OpenAPI and metrics of the gateway, next to a real broker: on Quarkus' management
 * interface only, never on the webhook port that the ingress exposes.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class ManagementEndpointsTest extends WebhookRouteTestSupport {

  @Test
  void health_brokerUp_isReady() {
    managed()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("webhook-secrets", "kafka"));
  }

  @Test
  void openapi_document_describesTheEndpoints() {
    managed()
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

    managed()
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

    managed()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "tollgate_gateway_deliveries_total{code=\"SIGNATURE_MISSING\",outcome=\"rejected\""));
  }

  @Test
  void webhookPort_managementPaths_areNotServed() {
    for (String path : List.of("/q/health/ready", "/q/metrics", "/q/openapi")) {
      given().get(path).then().statusCode(404);
    }
    managed().get("/q/health/live").then().statusCode(200);
  }
}
