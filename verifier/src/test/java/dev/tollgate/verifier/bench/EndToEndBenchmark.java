package dev.tollgate.verifier.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end latency and CPU of the verifier (a benchmark, not a test; {@code verifier/bench/e2e}
 * runs it): from a trigger accepted by Kafka (the moment the gateway would answer 202) to the
 * PipelineRun created in the API server, and to the decision on the decisions topic, with warm
 * caches. This JVM hosts a real local Kafka broker, a real docker-registry with signed and unsigned
 * bundles, and fabric8's mock API server (CRUD, Tekton CRDs), which timestamps each PipelineRun
 * creation; the verifier runs as its own JVM from its Quarkus jar, and its CPU time (user + system,
 * from the operating system) over the measured triggers, divided by their number, is its CPU per
 * trigger.
 *
 * <p>At rate 0 triggers are sent one at a time, each waiting for its decision, all admitted: the
 * figures are latencies without queueing. At a rate, triggers are sent in an open loop (a closed
 * loop hides queueing) in the system benchmark's mix: 60% admitted (a signed bundle), 20% denied
 * (an unsigned bundle), 20% ignored (no policy for the repository), each with a 4 KB push payload.
 *
 * <p>Arguments: the verifier's {@code quarkus-run.jar}, the number of measured triggers (200), the
 * number of warm-up triggers (30), sent the same way, the rate per second (0: one at a time). The
 * verifier's JVM compiles its hot code during the first thousand or so triggers: warm up with at
 * least that many when CPU per trigger matters. With {@code TOLLGATE_BENCH_JFR=<file>} in the
 * environment the verifier's JVM records a Java Flight Recording (settings {@code profile}) of the
 * measured triggers and the idle seconds after them into that file ({@code jcmd} starts it after
 * the warm-up).
 */
public final class EndToEndBenchmark {
  private static final Map<String, CompletableFuture<Long>> CREATED = new ConcurrentHashMap<>();
  private static final Map<String, CompletableFuture<Long>> DECIDED = new ConcurrentHashMap<>();

  /** Held so the level stays set: the mock server logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private static final String ADMITTED_REPO = "acme/bench";
  private static final String DENIED_REPO = "acme/bench-unsigned";
  private static final String IGNORED_REPO = "acme/no-policy";

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

  /** What a trigger of the mix should come to. */
  private enum Kind {
    ADMITTED(ADMITTED_REPO),
    DENIED(DENIED_REPO),
    IGNORED(IGNORED_REPO);

    final String repository;

    Kind(String repository) {
      this.repository = repository;
    }

    /** The mix: 60% admitted, 20% denied, 20% ignored, in a fixed order. */
    static Kind of(int i, boolean mixed) {
      if (!mixed) {
        return ADMITTED;
      }
      return switch (i % 5) {
        case 3 -> DENIED;
        case 4 -> IGNORED;
        default -> ADMITTED;
      };
    }
  }

  /** One sent trigger: when Kafka acknowledged it, and when its run and decision were seen. */
  private record Sent(
      Kind kind,
      CompletableFuture<Long> accepted,
      CompletableFuture<Long> created,
      CompletableFuture<Long> decided) {}

  public static void main(String[] args) throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Path jar = Path.of(args[0]);
    int measured = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    double rate = args.length > 3 ? Double.parseDouble(args[3]) : 0;
    Optional<Path> jfr =
        Optional.ofNullable(System.getenv("TOLLGATE_BENCH_JFR"))
            .filter(f -> !f.isBlank())
            .map(f -> Path.of(f).toAbsolutePath());
    try (TemporaryDirectory state = TemporaryDirectory.create("tollgate-verifier-bench-")) {
      run(jar, measured, warmup, rate, jfr, state.path());
    }
  }

  /** The broker, registry and verifier keep their state in {@code state}; all are stopped here. */
  @SuppressForbidden("a benchmark prints its figures on the console")
  private static void run(
      Path jar, int measured, int warmup, double rate, Optional<Path> jfr, Path state)
      throws Exception {
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
      writePolicy(policies, "bench", ADMITTED_REPO, bundles.bundle("release", true));
      writePolicy(policies, "bench-unsigned", DENIED_REPO, bundles.bundle("release", false));

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
      AtomicBoolean stop = new AtomicBoolean();
      Thread decisions = new Thread(() -> readDecisions(kafka, stop), "bench-decisions");
      try {
        awaitReady(port, verifier, state);
        decisions.start();
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        boolean mixed = rate > 0;
        try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
          List<Sent> warm = drive(producer, warmup, rate, mixed);
          await(warm);
          ProcessHandle handle = verifier.toHandle();
          // The verifier's CPU while it waits for triggers (polling, timers), per second.
          Duration idleFrom = cpu(handle);
          long idleStart = System.nanoTime();
          Thread.sleep(3000);
          double idleMsPerSecond =
              millis(cpu(handle).minus(idleFrom)) / ((System.nanoTime() - idleStart) / 1e9);
          if (jfr.isPresent()) {
            jcmd(verifier.pid(), "JFR.start", "name=bench", "settings=profile");
          }
          Duration cpuFrom = cpu(handle);
          Map<String, Long> jitFrom = compilerTicks(verifier.pid());
          long from = System.nanoTime();
          List<Sent> sent = drive(producer, measured, rate, mixed);
          await(sent);
          double seconds = (System.nanoTime() - from) / 1e9;
          double cpuMs = millis(cpu(handle).minus(cpuFrom));
          double jitMs = jitMillis(jitFrom, compilerTicks(verifier.pid()));
          // And once more after the last decision: what the verifier spends waiting, once warm.
          Duration idleAfterFrom = cpu(handle);
          long idleAfterStart = System.nanoTime();
          Thread.sleep(5000);
          double idleAfterMsPerSecond =
              millis(cpu(handle).minus(idleAfterFrom))
                  / ((System.nanoTime() - idleAfterStart) / 1e9);
          if (jfr.isPresent()) {
            jcmd(verifier.pid(), "JFR.dump", "name=bench", "filename=" + jfr.get());
            jcmd(verifier.pid(), "JFR.stop", "name=bench");
          }
          report(
              measured,
              warmup,
              rate,
              sent,
              cpuMs,
              jitMs,
              seconds,
              idleMsPerSecond,
              idleAfterMsPerSecond,
              jfr);
        }
      } finally {
        stop.set(true);
        decisions.join(10_000);
        verifier.destroy();
        if (!verifier.waitFor(10, TimeUnit.SECONDS)) {
          verifier.destroyForcibly();
        }
        client.close();
        api.destroy();
      }
    }
  }

  private static void writePolicy(
      Path policies, String name, String repo, SignedBundles.Pushed bundle) throws Exception {
    Files.writeString(
        policies.resolve(name + ".yaml"),
        "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: "
            + name
            + "}\nspec:\n  match: {repositories: ['"
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
  }

  /**
   * Sends {@code count} triggers: one at a time, each after the previous one's decision, when
   * {@code rate} is 0; else on a fixed schedule at {@code rate} per second, whatever the verifier
   * does (an open loop).
   */
  private static List<Sent> drive(
      KafkaProducer<String, byte[]> producer, int count, double rate, boolean mixed)
      throws Exception {
    List<Sent> sent = new ArrayList<>();
    if (rate <= 0) {
      for (int i = 0; i < count; i++) {
        Sent s = send(producer, Kind.of(i, mixed));
        sent.add(s);
        s.decided().get(60, TimeUnit.SECONDS);
      }
      return sent;
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      long periodNanos = (long) (1e9 / rate);
      List<CompletableFuture<Void>> ticks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        CompletableFuture<Void> tick = new CompletableFuture<>();
        ticks.add(tick);
        timer.schedule(
            () -> {
              sent.add(send(producer, Kind.of(n, mixed)));
              tick.complete(null);
            },
            n * periodNanos,
            TimeUnit.NANOSECONDS);
      }
      CompletableFuture.allOf(ticks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    } finally {
      timer.shutdown();
    }
    return List.copyOf(sent);
  }

  private static void await(List<Sent> sent) throws Exception {
    for (Sent s : sent) {
      s.decided().get(120, TimeUnit.SECONDS);
      if (s.kind() == Kind.ADMITTED) {
        s.created().get(120, TimeUnit.SECONDS);
      }
    }
  }

  /** Sends one trigger of {@code kind}; its acknowledgement completes {@code accepted}. */
  private static Sent send(KafkaProducer<String, byte[]> producer, Kind kind) {
    String repo = kind.repository;
    String delivery = UUID.randomUUID().toString();
    String id = Ids.githubTrigger(delivery);
    String headSha = Sha256.hex(delivery.getBytes(StandardCharsets.UTF_8)).substring(0, 40);
    ObjectNode payload = pushPayload(repo, headSha);
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
            headSha,
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
    CompletableFuture<Long> decided = DECIDED.computeIfAbsent(id, n -> new CompletableFuture<>());
    CompletableFuture<Long> accepted = new CompletableFuture<>();
    byte[] value = CanonicalJson.bytes(trigger);
    Headers headers = TriggerMessages.headers(trigger);
    TestEventKeys.signAsGateway(headers, value);
    producer.send(
        new ProducerRecord<>(EventType.TRIGGER.defaultTopic(), null, repo, value, headers),
        (metadata, e) -> {
          if (e == null) {
            accepted.complete(System.nanoTime());
          } else {
            accepted.completeExceptionally(e);
          }
        });
    return new Sent(kind, accepted, created, decided);
  }

  /**
   * A push event's payload of about 4 KB, as GitHub sends one: three commits and the repository.
   */
  private static ObjectNode pushPayload(String repo, String headSha) {
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.put("ref", "refs/heads/main").put("before", "0".repeat(40)).put("after", headSha);
    ObjectNode repository = payload.putObject("repository");
    repository
        .put("id", 123456789)
        .put("full_name", repo)
        .put("private", false)
        .put("html_url", "https://github.com/" + repo)
        .put("description", "A repository the benchmark pushes to, with a description of it")
        .put("default_branch", "main");
    repository
        .putObject("owner")
        .put("login", repo.substring(0, repo.indexOf('/')))
        .put("id", 987654)
        .put("type", "Organization");
    payload.putObject("pusher").put("name", "octocat").put("email", "octocat@example.com");
    payload.putObject("sender").put("login", "octocat").put("id", 1).put("type", "User");
    ArrayNode commits = payload.putArray("commits");
    for (int c = 0; c < 3; c++) {
      ObjectNode commit = commits.addObject();
      commit
          .put("id", c == 2 ? headSha : Sha256.hex(new byte[] {(byte) c}).substring(0, 40))
          .put("message", "Change " + c + ": " + "a commit message of some length. ".repeat(12))
          .put("timestamp", "2026-12-07T12:00:0" + c + "Z")
          .put("url", "https://github.com/" + repo + "/commit/" + c);
      commit.putObject("author").put("name", "Octo Cat").put("email", "octocat@example.com");
      ArrayNode modified = commit.putArray("modified");
      for (int f = 0; f < 8; f++) {
        modified.add("src/main/java/dev/example/module" + f + "/SomeClass" + c + f + ".java");
      }
    }
    payload.set("head_commit", commits.get(2).deepCopy());
    return payload;
  }

  /** Completes each decision's future when it is read from the decisions topic. */
  private static void readDecisions(EmbeddedKafka kafka, AtomicBoolean stop) {
    Map<String, Object> props = kafka.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = EventType.DECISION.defaultTopic();
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      while (!stop.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          if (r.key() != null) {
            DECIDED.computeIfAbsent(r.key(), n -> new CompletableFuture<>()).complete(now);
          }
        }
      }
    }
  }

  /** The process's CPU time so far (user and system), as the operating system counts it. */
  private static Duration cpu(ProcessHandle process) {
    return process
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + process.pid()));
  }

  /**
   * CPU clock ticks (user and system) of each JIT compiler thread of {@code pid} by thread id, from
   * {@code /proc/<pid>/task/<tid>/stat}: the HotSpot compiler threads are named {@code C1
   * CompilerThread<n>} and {@code C2 CompilerThread<n>}.
   */
  private static Map<String, Long> compilerTicks(long pid) throws Exception {
    Map<String, Long> ticks = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
        } catch (java.io.IOException gone) {
          continue; // the thread ended meanwhile
        }
        // pid (comm) state ...: comm may hold spaces, so fields are counted after the last ')'.
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
          ticks.put(task.getFileName().toString(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
        }
      }
    }
    return ticks;
  }

  /**
   * Milliseconds of CPU the compiler threads took between two readings, at the usual 100 ticks a
   * second ({@code getconf CLK_TCK}). A compiler thread that ended in between is not counted.
   */
  private static double jitMillis(Map<String, Long> from, Map<String, Long> to) {
    long ticks = 0;
    for (Map.Entry<String, Long> t : to.entrySet()) {
      ticks += t.getValue() - from.getOrDefault(t.getKey(), 0L);
    }
    return ticks * 10.0;
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  /** Runs {@code jcmd <pid> <command...>} from this JDK; fails when it does. */
  private static void jcmd(long pid, String... command) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + out);
    }
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
  private static void report(
      int measured,
      int warmup,
      double rate,
      List<Sent> sent,
      double cpuMs,
      double jitMs,
      double seconds,
      double idleMsPerSecond,
      double idleAfterMsPerSecond,
      Optional<Path> jfr)
      throws Exception {
    List<Long> toRun = new ArrayList<>();
    List<Long> toDecision = new ArrayList<>();
    for (Sent s : sent) {
      long accepted = s.accepted().get();
      toDecision.add(TimeUnit.NANOSECONDS.toMicros(s.decided().get() - accepted));
      if (s.kind() == Kind.ADMITTED) {
        toRun.add(TimeUnit.NANOSECONDS.toMicros(s.created().get() - accepted));
      }
    }
    double busyMs = Math.max(0, cpuMs - idleMsPerSecond * seconds);
    System.out.printf(
        Locale.ROOT,
        "verifier end to end (Kafka-accepted trigger -> PipelineRun created), warm caches,"
            + " %d measured after %d warm-up, %s:%n"
            + "  to decision: %s%n"
            + "  %s%n"
            + "  cpu %.2f ms per trigger (verifier process, %.0f ms over %.1f s; idle %.1f ms/s"
            + " before, %.1f ms/s after; %.2f ms per trigger above the idle before)%n"
            + "  cpu without the JIT compiler threads %.2f ms per trigger (they took %.0f ms)%n"
            + "  cores %d, load average %s%n",
        measured,
        warmup,
        rate > 0
            ? String.format(Locale.ROOT, "%.0f/s open loop, mix 60/20/20", rate)
            : "one at a time, all admitted",
        figures(toDecision),
        figures(toRun),
        cpuMs / measured,
        cpuMs,
        seconds,
        idleMsPerSecond,
        idleAfterMsPerSecond,
        busyMs / measured,
        (cpuMs - jitMs) / measured,
        jitMs,
        Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).trim());
    jfr.ifPresent(f -> System.out.println("  flight recording: " + f));
  }

  /** {@code p50 .. p90 .. p99 .. max .. mean ..} of {@code micros}. */
  private static String figures(List<Long> micros) {
    List<Long> sorted = new ArrayList<>(micros);
    sorted.sort(Long::compare);
    double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0);
    return String.format(
        Locale.ROOT,
        "p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  mean %.1f ms",
        pct(sorted, 50),
        pct(sorted, 90),
        pct(sorted, 99),
        sorted.get(sorted.size() - 1) / 1000.0,
        mean / 1000.0);
  }

  private static double pct(List<Long> sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1000.0;
  }
}
