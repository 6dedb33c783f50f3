package dev.tollgate.verifier.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.launch.PipelineRuns;
import dev.tollgate.verifier.testing.RegistryServer;
import dev.tollgate.verifier.testing.SignedBundles;
import dev.tollgate.verifier.testing.TestEventKeys;
import dev.tollgate.verifier.testing.TriggerMessages;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end latency of the verifier (a benchmark, not a test; {@code verifier/bench/e2e} runs it):
 * from a trigger accepted by Kafka (the moment the gateway would answer 202) to the PipelineRun
 * created in the API server, with warm caches. This JVM hosts a real local Kafka broker, a real
 * docker-registry with a signed bundle, and fabric8's mock API server (CRUD, Tekton CRDs), which
 * timestamps each PipelineRun creation; the verifier runs as its own JVM from its Quarkus jar.
 * Triggers are sent one at a time, each waiting for its run, so the figures are latencies, not
 * throughput under load.
 *
 * <p>Arguments: the verifier's {@code quarkus-run.jar}, the number of measured triggers (200), the
 * number of warm-up triggers (30).
 */
public final class EndToEndBenchmark {
  private static final Map<String, CompletableFuture<Long>> CREATED = new ConcurrentHashMap<>();

  /** Held so the level stays set: the mock server logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private EndToEndBenchmark() {}

  /** Completes the future of each PipelineRun name when its creation was answered 201. */
  static final class TimingApiServer extends KubernetesCrudDispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      boolean create =
          "POST".equals(request.getMethod()) && path != null && path.endsWith("/pipelineruns");
      // getBytes() copies without consuming: the CRUD handler still reads the whole body.
      String body = create ? new String(request.getBody().getBytes(), StandardCharsets.UTF_8) : "";
      MockResponse r = super.dispatch(request);
      if (create) {
        long now = System.nanoTime();
        int i = body.indexOf("\"name\":\"tg-");
        if (i >= 0) {
          String name = body.substring(i + 8, i + 8 + 27);
          CREATED.computeIfAbsent(name, n -> new CompletableFuture<>()).complete(now);
        }
      }
      return r;
    }
  }

  public static void main(String[] args) throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Path jar = Path.of(args[0]);
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    try (TemporaryDirectory state = TemporaryDirectory.create("tollgate-verifier-bench-")) {
      run(jar, measured, warmup, state.path());
    }
  }

  /** The broker, registry and verifier keep their state in {@code state}; all are stopped here. */
  @SuppressForbidden("a benchmark prints its figures on the console")
  private static void run(Path jar, int measured, int warmup, Path state) throws Exception {
    Path policies = Files.createDirectories(state.resolve("policies"));

    try (EmbeddedKafka kafka =
            EmbeddedKafka.builder()
                .dataDir(state.resolve("kafka"))
                .topics(TollgateTopics.all())
                .start();
        RegistryServer registry =
            RegistryServer.start(Files.createDirectories(state.resolve("registry")))) {
      SignedBundles bundles = new SignedBundles(registry);
      bundles.writeTrust(policies.resolve("trust"));
      SignedBundles.Pushed bundle = bundles.bundle("release", true);
      String repo = "acme/bench";
      Files.writeString(
          policies.resolve("bench.yaml"),
          "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: bench}\n"
              + "spec:\n  match: {repositories: ['"
              + repo
              + "'], events: [push]}\n"
              + "  sender: {minPermission: write}\n"
              + "  run:\n    bundle: "
              + bundle.tagReference()
              + "\n    pipeline: release\n    namespace: team-bench\n"
              + "    params: {revision: $(trigger.headSha)}\n"
              + "    workspaces: [{name: source, kind: tenantClaim}]\n"
              + "  trust: {policyFile: trust/trust.yaml}\n",
          StandardCharsets.UTF_8);

      KubernetesMockServer api =
          new KubernetesMockServer(
              new io.fabric8.mockwebserver.Context(),
              new MockWebServer(),
              new HashMap<>(),
              new TimingApiServer(),
              false);
      api.init();
      KubernetesClient client = api.createClient();
      try (InputStream crd =
          EndToEndBenchmark.class.getResourceAsStream("/tekton/pipelineruns.crd.yaml")) {
        client.apiextensions().v1().customResourceDefinitions().load(crd).create();
      }

      int port = 18181;
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx512m",
                  "-jar",
                  jar.toString())
              .redirectErrorStream(true)
              .redirectOutput(state.resolve("verifier.log").toFile());
      Map<String, String> env = pb.environment();
      env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("TOLLGATE_VERIFIER_POLICIES_DIRECTORY", policies.toString());
      env.put("TOLLGATE_VERIFIER_CLUSTER_API_SERVER_URL", client.getConfiguration().getMasterUrl());
      env.put("TOLLGATE_VERIFIER_REGISTRY_PLAIN_HTTP", registry.host());
      env.put("QUARKUS_LOG_LEVEL", "WARN");
      env.put("TOLLGATE_SIGNING_KEY_FILE", TestEventKeys.file("verifier-events.pem").toString());
      env.put(
          "TOLLGATE_TRUST_GATEWAY_KEYS", TestEventKeys.file("gateway-events.pub.pem").toString());
      env.remove("DOCKER_CONFIG");
      Process verifier = pb.start();
      try {
        awaitReady(port, verifier, state);
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
          for (int i = 0; i < warmup; i++) {
            send(producer, repo);
          }
          List<Long> micros = new ArrayList<>();
          for (int i = 0; i < measured; i++) {
            micros.add(send(producer, repo));
          }
          report(measured, warmup, micros);
        }
      } finally {
        verifier.destroy();
        if (!verifier.waitFor(10, TimeUnit.SECONDS)) {
          verifier.destroyForcibly();
        }
        client.close();
        api.destroy();
      }
    }
  }

  /** Sends one trigger; returns microseconds from Kafka's acknowledgement to the run's creation. */
  private static long send(KafkaProducer<String, byte[]> producer, String repo) throws Exception {
    String delivery = UUID.randomUUID().toString();
    String id = Ids.githubTrigger(delivery);
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.putObject("repository").put("full_name", repo);
    TriggerEvent trigger =
        new TriggerEvent(
            id,
            TriggerEvent.Source.GITHUB,
            Instant.now(),
            "push",
            null,
            repo,
            "refs/heads/main",
            null,
            null,
            Sha256.hex(delivery.getBytes(StandardCharsets.UTF_8)).substring(0, 40),
            new TriggerEvent.Sender("octocat", 1),
            new TriggerEvent.GitHubDelivery(delivery, null, null),
            Sha256.digest(new byte[0]),
            0,
            payload,
            false,
            TriggerEvent.Identity.verified("MEMBER", false, TriggerEvent.Permission.WRITE),
            null,
            null,
            null,
            null,
            null);
    CompletableFuture<Long> created =
        CREATED.computeIfAbsent(PipelineRuns.name(id), n -> new CompletableFuture<>());
    byte[] value = CanonicalJson.bytes(trigger);
    Headers headers = TriggerMessages.headers(trigger);
    TestEventKeys.signAsGateway(headers, value);
    producer
        .send(new ProducerRecord<>(EventType.TRIGGER.defaultTopic(), null, repo, value, headers))
        .get();
    long accepted = System.nanoTime();
    long at = created.get(60, TimeUnit.SECONDS);
    return TimeUnit.NANOSECONDS.toMicros(at - accepted);
  }

  private static void awaitReady(int port, Process verifier, Path state) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plusSeconds(120);
    while (Instant.now().isBefore(deadline)) {
      if (!verifier.isAlive()) {
        throw new IllegalStateException(
            "verifier exited: " + Files.readString(state.resolve("verifier.log")));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // starting
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException("verifier not ready in 120 s");
  }

  @SuppressForbidden("a benchmark prints its figures on the console")
  private static void report(int measured, int warmup, List<Long> micros) throws Exception {
    List<Long> sorted = new ArrayList<>(micros);
    sorted.sort(Long::compare);
    double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0);
    System.out.printf(
        Locale.ROOT,
        "verifier end to end (Kafka-accepted trigger -> PipelineRun created), warm caches,"
            + " %d measured after %d warm-up, one at a time:%n"
            + "  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  mean %.1f ms%n"
            + "  cores %d, load average %s%n",
        measured,
        warmup,
        pct(sorted, 50),
        pct(sorted, 90),
        pct(sorted, 99),
        sorted.get(sorted.size() - 1) / 1000.0,
        mean / 1000.0,
        Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).trim());
  }

  private static double pct(List<Long> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1000.0;
  }
}
