package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.event.Ids;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bodies before authentication, bounded: a flood of large bodies with a made-up signature is
 * answered request by request (401 or 503 with Retry-After) while the bytes held stay within the
 * budget, and a signed delivery still gets through meanwhile.
 */
@QuarkusTest
@TestProfile(IntakeBoundsTest.SmallBudget.class)
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
class IntakeBoundsTest {

  static final long MAX_BUFFERED = 3 * 1024 * 1024;

  /** Room for two large bodies of up to 1 MiB (the test body limit) and the small ones beside. */
  public static class SmallBudget implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "tollgate.gateway.intake.max-buffered", Long.toString(MAX_BUFFERED),
          "tollgate.gateway.intake.large-body", "64K",
          "tollgate.gateway.intake.max-large-bodies", "2",
          "tollgate.gateway.intake.body-read-timeout", "3s");
    }
  }

  @TestHTTPResource("/webhooks/github")
  URI webhooks;

  @Inject BodyBudget budget;

  @Test
  void deliver_floodOfLargeUnsignedBodies_staysInBudgetAnswersEachAndAcceptsSigned()
      throws Exception {
    int flood = 40;
    byte[] large = new byte[900 * 1024];
    Arrays.fill(large, (byte) 'x');
    String madeUp = "sha256=" + "0".repeat(64);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      HttpClient client =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads).build();
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < flood; i++) {
        answers.add(
            client.sendAsync(
                request(large, madeUp, UUID.randomUUID().toString()),
                HttpResponse.BodyHandlers.ofString()));
      }
      byte[] push = Fixtures.webhook("push_payload.json");
      String delivery = UUID.randomUUID().toString();
      HttpResponse<String> signed =
          client.send(
              request(push, Fixtures.sign(Fixtures.SECRET, push), delivery),
              HttpResponse.BodyHandlers.ofString());

      assertThat(signed.statusCode()).as(signed.body()).isEqualTo(202);
      assertThat(signed.body()).contains(Ids.githubTrigger(delivery));
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      List<HttpResponse<String>> responses = answers.stream().map(CompletableFuture::join).toList();
      assertThat(responses)
          .as(
              "every request answered: refused as unsigned, as over the budget, or (on a loaded"
                  + " machine) as not sent within the read timeout")
          .allSatisfy(r -> assertThat(r.statusCode()).isIn(401, 503, 408));
      List<HttpResponse<String>> shed =
          responses.stream().filter(r -> r.statusCode() == 503).toList();
      assertThat(shed).as("the budget was reached").isNotEmpty();
      assertThat(shed)
          .allSatisfy(
              r -> {
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(r.body()).contains("BODY_BUDGET_EXHAUSTED");
              });
    } finally {
      threads.shutdownNow();
    }
    assertThat(budget.peak())
        .as("bytes of bodies held at once")
        .isGreaterThan(large.length)
        .isLessThanOrEqualTo(MAX_BUFFERED);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(budget.buffered()).as("all given back").isZero());
  }

  @Test
  void deliver_bodyTrickledPastReadTimeout_answers408AndGivesBudgetBack() throws Exception {
    try (Socket socket = new Socket(webhooks.getHost(), webhooks.getPort())) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "X-Hub-Signature-256: sha256="
                  + "0".repeat(64)
                  + "\r\nContent-Length: 1000\r\n\r\n{\"a\":")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();

      String answer = readAll(socket.getInputStream());

      assertThat(answer).startsWith("HTTP/1.1 408").contains("BODY_READ_TIMEOUT");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(budget.buffered()).isZero());
  }

  /** Everything until the server closes the connection, as it does after a 408. */
  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private HttpRequest request(byte[] body, String signature, String delivery) {
    return HttpRequest.newBuilder(webhooks)
        .header("Content-Type", "application/json")
        .header("X-Hub-Signature-256", signature)
        .header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }
}
