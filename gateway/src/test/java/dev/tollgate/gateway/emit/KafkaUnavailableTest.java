package dev.tollgate.gateway.emit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.gateway.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A broker that never answers: every delivery is answered 503 with Retry-After at once, and no
 * request hangs. The journal of accepted deliveries cannot be read, so the gateway cannot tell a
 * redelivery from a new delivery and refuses before it even sends (DELIVERIES_LOADING); the ack
 * timeout of a broker lost after startup is KafkaOutageTest's and TriggerEmitterTest's.
 */
@QuarkusTest
@TestProfile(KafkaUnavailableTest.NoBroker.class)
class KafkaUnavailableTest {

  /**
   * Kafka at a port nothing listens on; sends block for metadata far longer than the ack timeout.
   */
  public static class NoBroker implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "kafka.bootstrap.servers", "127.0.0.1:" + closedPort(),
          "tollgate.gateway.kafka-ack-timeout", "1s",
          "tollgate.gateway.retry-after", "7s",
          "tollgate.kafka.triggers.max.block.ms", "20000");
    }

    private static int closedPort() {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free local port", e);
      }
    }
  }

  @Test
  void deliver_kafkaNeverReachable_answers503WithRetryAfterWithoutHanging() {
    byte[] body = Fixtures.webhook("push_payload.json");
    // Warm the client and the server up first, so the timings below measure only the wait for
    // Kafka.
    given()
        .contentType("application/json")
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(401);

    for (int attempt = 1; attempt <= 2; attempt++) {
      String delivery = UUID.randomUUID().toString();
      long start = System.nanoTime();

      given()
          .contentType("application/json")
          .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
          .header("X-GitHub-Event", "push")
          .header("X-GitHub-Delivery", delivery)
          .body(body)
          .post("/webhooks/github")
          .then()
          .statusCode(503)
          .header("Retry-After", "7")
          .contentType("application/json")
          .body("code", equalTo("DELIVERIES_LOADING"))
          .body("message", containsString("redelivery"));

      // Answered at once, not by the producer giving up after 20 s; the margin is wide so that a
      // loaded machine cannot make this fail, while a request waiting on Kafka still does.
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("attempt %d", attempt)
          .isLessThan(Duration.ofSeconds(15));
    }
  }
}
