package dev.tollgate.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.DecisionEvent.Outcome;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's main job on the local stack's default, end to end through real processes, a real
 * broker, a real OCI registry and the embedded Kubernetes API: a signed push to a repository whose
 * bundle is signed is admitted and its PipelineRun pinned by digest appears; one whose bundle is
 * unsigned is denied {@code SIGNATURE_MISSING}; one no policy names is ignored; the ledger records
 * trigger, decision and run and verifies; after the whole process group is signalled and {@code up}
 * runs again, the next webhook is decided within a few seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalStackIT {

  private static final String SECRET =
      HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));

  /**
   * How long after a restart the first webhook may take to be decided. Before the ordered stop and
   * the verifier's static membership it took about 45 s (the old member's session); now a few.
   */
  private static final Duration RESTART_BOUND = Duration.ofSeconds(20);

  private final HttpClient http = HttpClient.newHttpClient();
  private LocalStack stack;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    stack = new LocalStack(tmp.resolve("state"), SECRET);
    stack.start();
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void push_signedDemoBundle_admittedRunPinnedByDigestAndLedgerHoldsTriggerDecisionRun()
      throws Exception {
    String trigger = accepted(deliver("octo-org/hello-world", SECRET));

    DecisionEvent decision = awaitDecisions(stack, trigger, 1).get(0);

    assertThat(decision.outcome()).as(decision.reasons().toString()).isEqualTo(Outcome.ADMITTED);
    String signed = content().path("signedBundle").asText();
    assertThat(signed).contains("@sha256:");
    assertThat(decision.pipelineRun().bundle()).isEqualTo(signed);
    JsonNode run = awaitRun(trigger);
    assertThat(run.path("metadata").path("namespace").asText()).isEqualTo("demo-hello-world");
    assertThat(run.path("spec").path("pipelineRef").path("params"))
        .extracting(p -> p.path("name").asText() + "=" + p.path("value").asText())
        .containsExactly("bundle=" + signed, "name=hello-world", "kind=pipeline");
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(kinds(auditor("replay", "--trigger", trigger)))
                    .contains("trigger", "decision", "run"));
    assertThat(auditor("verify")).containsPattern("(?m)^OK: \\d+ records verified");
  }

  @Test
  void push_unsignedDemoBundle_deniedSignatureMissingWithRemedyAndNoRun() throws Exception {
    String trigger = accepted(deliver("octo-org/tampered", SECRET));

    DecisionEvent decision = awaitDecisions(stack, trigger, 1).get(0);

    assertThat(decision.outcome()).isEqualTo(Outcome.DENIED);
    assertThat(decision.reasons())
        .filteredOn(r -> r.code().equals("SIGNATURE_MISSING"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.message()).contains(content().path("unsignedBundle").asText());
              assertThat(r.remediation()).isNotBlank();
            });
    assertThat(decision.pipelineRun()).isNull();
    assertThat(runs()).noneMatch(r -> trigger.equals(triggerOf(r)));
  }

  @Test
  void push_repositoryNoPolicyNames_ignoredAndNoRun() throws Exception {
    String trigger = accepted(deliver("octo-org/unknown", SECRET));

    DecisionEvent decision = awaitDecisions(stack, trigger, 1).get(0);

    assertThat(decision.outcome()).isEqualTo(Outcome.IGNORED);
    assertThat(decision.reasons()).extracting("code").containsExactly("NO_MATCHING_POLICY");
    assertThat(runs()).noneMatch(r -> trigger.equals(triggerOf(r)));
  }

  @Test
  void push_wrongSignature_rejected401() throws Exception {
    assertThat(deliver("octo-org/hello-world", "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void restart_wholeProcessGroupSignalled_nextWebhookDecidedWithinBoundAndChainContinues()
      throws Exception {
    String before = accepted(deliver("octo-org/unknown", SECRET));
    awaitDecisions(stack, before, 1);
    assertThat(stack.stop()).as("clean stop").isZero();

    stack.start();
    long sent = System.nanoTime();
    String after = accepted(deliver("octo-org/hello-world", SECRET));
    DecisionEvent decision = awaitDecisions(stack, after, 1).get(0);
    Duration took = Duration.ofNanos(System.nanoTime() - sent);

    assertThat(took).as("first decision after restart").isLessThan(RESTART_BOUND);
    assertThat(decision.outcome()).as(decision.reasons().toString()).isEqualTo(Outcome.ADMITTED);
    awaitRun(after);
    awaitLedgerCaughtUp(stack);
    assertThat(auditor("verify")).containsPattern("(?m)^OK: \\d+ records verified");
  }

  private String accepted(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return Json.readTree(response.body().getBytes(StandardCharsets.UTF_8))
        .path("triggerId")
        .asText();
  }

  /** A push to refs/heads/main of {@code repository}, shaped as GitHub sends it, signed. */
  private HttpResponse<String> deliver(String repository, String secret)
      throws IOException, InterruptedException, GeneralSecurityException {
    byte[] body =
        ("{\"ref\":\"refs/heads/main\",\"before\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\","
                + "\"after\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\",\"commits\":[],"
                + "\"pusher\":{\"name\":\"octocat\"},\"repository\":{\"full_name\":\""
                + repository
                + "\"},\"sender\":{\"login\":\"octocat\",\"id\":1}}")
            .getBytes(StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + stack.gatewayPort + "/webhooks/github"))
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", UUID.randomUUID().toString())
            .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(15))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** What the demo pushed at start-up (written by the demo process). */
  private JsonNode content() throws Exception {
    return Json.readTree(Files.readAllBytes(stack.state.resolve("demo/content.json")));
  }

  /** Every PipelineRun the embedded API server holds, in all namespaces. */
  private List<JsonNode> runs() throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + stack.kubeApiPort
                            + "/apis/tekton.dev/v1/pipelineruns"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    List<JsonNode> items = new ArrayList<>();
    Json.readTree(r.body()).path("items").forEach(items::add);
    return items;
  }

  private JsonNode awaitRun(String trigger) {
    List<JsonNode> found = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              runs().stream().filter(r -> trigger.equals(triggerOf(r))).forEach(found::add);
              return !found.isEmpty();
            });
    return found.get(0);
  }

  private static String triggerOf(JsonNode run) {
    return run.path("metadata").path("annotations").path("tollgate.dev/trigger-id").asText();
  }

  /** The record kinds of {@code replay}'s lines ({@code #seq time kind id ...}). */
  private static List<String> kinds(String replay) {
    return replay
        .lines()
        .filter(l -> l.startsWith("#"))
        .map(l -> l.trim().split("\\s+"))
        .filter(f -> f.length > 2)
        .map(f -> f[2])
        .toList();
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

  /** Runs the auditor command with the local ledger's key; it must exit 0. */
  private String auditor(String command, String... args) throws IOException, InterruptedException {
    Path jar = LocalStack.ROOT.resolve("ledger/target/tollgate-auditor.jar");
    List<String> line =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                command,
                "--bootstrap-server",
                "localhost:" + stack.kafkaPort,
                "--public-key",
                stack.state.resolve("ledger/public-key.pem").toString()));
    line.addAll(List.of(args));
    Process auditor = new ProcessBuilder(line).redirectErrorStream(true).start();
    String out = new String(auditor.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(auditor.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(auditor.exitValue()).as(out).isZero();
    return out;
  }
}
