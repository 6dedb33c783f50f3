package dev.tollgate.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's thin path, end to end through real processes and a real broker: a signed GitHub
 * webhook goes in, a decision comes out, both land in a signed, hash-chained ledger that the
 * auditor command verifies; after a restart the chain continues and still verifies.
 */
class LocalStackIT {

  private static final Path WEBHOOKS =
      LocalStack.ROOT.resolve("../shared/testdata/github-webhooks").normalize();
  private static final String SECRET =
      HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void thinPath_signedWebhook_decidedRecordedAndVerifiedAcrossRestart(@TempDir Path tmp)
      throws Exception {
    Path state = tmp.resolve("state");
    try (LocalStack stack = new LocalStack(state, SECRET)) {
      stack.start();
      assertThat(stack.output()).contains("gateway    http://localhost:" + stack.gatewayPort);

      String first = UUID.randomUUID().toString();
      HttpResponse<String> accepted = deliver(stack, "push", "push_payload.json", first, SECRET);
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      assertThat(accepted.body()).contains(Ids.githubTrigger(first));
      assertThat(
              deliver(stack, "push", "push_payload.json", UUID.randomUUID().toString(), "wrong")
                  .statusCode())
          .isEqualTo(401);

      DecisionEvent decision = awaitDecisions(stack, Ids.githubTrigger(first), 1).get(0);
      assertThat(decision.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
      assertThat(decision.reasons()).extracting("code").containsExactly("NO_MATCHING_POLICY");

      awaitLedgerCaughtUp(stack);
      // The trigger, its decision, and the gateway's rejection event for the wrong signature.
      assertThat(audit(stack)).contains("OK: 3 records");
      assertThat(stack.stop()).as("clean stop").isZero();

      // Same state, started again: the chain continues from its head.
      stack.start();
      String second = UUID.randomUUID().toString();
      assertThat(
              deliver(stack, "pull_request", "pull_request_opened.payload.json", second, SECRET)
                  .statusCode())
          .isEqualTo(202);
      // A redelivery of the first webhook reaches Kafka again; nothing downstream records it twice.
      assertThat(deliver(stack, "push", "push_payload.json", first, SECRET).statusCode())
          .isBetween(200, 202);
      awaitDecisions(stack, Ids.githubTrigger(second), 1);
      assertThat(awaitDecisions(stack, Ids.githubTrigger(first), 2))
          .extracting(DecisionEvent::decisionId)
          .as("the retried decision has the same id")
          .containsOnly(decision.decisionId());
      awaitLedgerCaughtUp(stack);

      assertThat(audit(stack)).contains("OK: 5 records");
      assertThat(stack.stop()).isZero();
    }
  }

  private HttpResponse<String> deliver(
      LocalStack stack, String event, String file, String deliveryId, String secret)
      throws IOException, InterruptedException, GeneralSecurityException {
    byte[] body = Files.readAllBytes(WEBHOOKS.resolve(file));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + stack.gatewayPort + "/webhooks/github"))
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", event)
            .header("X-GitHub-Delivery", deliveryId)
            .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(15))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> clientProps(LocalStack stack) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + stack.kafkaPort);
    return props;
  }

  private static List<DecisionEvent> awaitDecisions(LocalStack stack, String triggerId, int count) {
    Map<String, Object> props = clientProps(stack);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<DecisionEvent> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(EventType.DECISION.defaultTopic()));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                  if (triggerId.equals(r.key())) {
                    found.add(Json.read(r.value(), DecisionEvent.class));
                  }
                }
                return found.size() >= count;
              });
    }
    return found;
  }

  /** Waits until the ledger has committed everything on the topics it reads. */
  private static void awaitLedgerCaughtUp(LocalStack stack) {
    try (Admin admin = Admin.create(clientProps(stack))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> lag(admin) == 0);
    }
  }

  private static long lag(Admin admin) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets("tollgate-ledger").partitionsToOffsetAndMetadata().get();
    List<String> topics =
        List.of(
            EventType.TRIGGER.defaultTopic(),
            EventType.REJECTION.defaultTopic(),
            EventType.DECISION.defaultTopic(),
            EventType.RUN.defaultTopic());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (var description : admin.describeTopics(topics).allTopicNames().get().values()) {
      description
          .partitions()
          .forEach(
              p ->
                  latest.put(
                      new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
    }
    long lag = 0;
    for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end :
        admin.listOffsets(latest).all().get().entrySet()) {
      OffsetAndMetadata done = committed.get(end.getKey());
      lag += end.getValue().offset() - (done == null ? 0 : done.offset());
    }
    return lag;
  }

  private static String audit(LocalStack stack) throws IOException, InterruptedException {
    Path jar = LocalStack.ROOT.resolve("ledger/target/tollgate-auditor.jar");
    Process auditor =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "verify",
                "--bootstrap-server",
                "localhost:" + stack.kafkaPort,
                "--public-key",
                stack.state.resolve("ledger/public-key.pem").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(auditor.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(auditor.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(auditor.exitValue()).as(out).isZero();
    return out;
  }
}
