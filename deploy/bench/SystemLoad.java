import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The system benchmark's load generator and observer (deploy/bench/system starts the stack and
 * runs this). For each rate given, sends signed GitHub push webhooks to the gateway in an open loop
 * (each at its scheduled instant, whether or not earlier ones were answered: a closed loop would
 * hide queueing), a fixed mix of admitted (octo-org/hello-world), denied (octo-org/tampered) and
 * ignored (a repository no policy names) triggers; and observes, on this machine's clock, when each
 * trigger's decision reaches the decisions topic, when its PipelineRun appears in a watch of the
 * Kubernetes API, and when its decision's ledger record reaches the ledger topic. Every second it
 * samples the consumer lag of the verifier's and the ledger's groups.
 *
 * <p>Per rate it also counts, per decided webhook, the requests the embedded Kubernetes API
 * answered by verb and path shape (its {@code /_tollgate/requests}), the broker's requests by API
 * key (its {@code kafka.network RequestsPerSec} counts) and each Kafka client's requests by client
 * id (the clients' {@code request-total}), both read over JMX from each JVM (the attach API starts
 * its local management agent); with TOLLGATE_JFR set to a directory, it records each JVM with JFR
 * (settings=profile) over each rate, into {@code <dir>/<process>-<rate>.jfr}.
 *
 * <p>Arguments: gateway base URL, seconds per rate, comma-separated rates. Environment:
 * TOLLGATE_BENCH_SECRET (webhook secret), TOLLGATE_BENCH_KAFKA (bootstrap), TOLLGATE_BENCH_KUBE
 * (API server URL), TOLLGATE_BENCH_PIDS ("name=pid ..."), TOLLGATE_JFR (optional). Classpath:
 * kafka-clients.
 */
public final class SystemLoad {
  static final Pattern OUTCOME = Pattern.compile("\"outcome\":\"([a-z]+)\"");
  static final Pattern TRIGGER_ID = Pattern.compile("\"triggerId\":\"([^\"]+)\"");
  static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([^\"]+)\"");
  static final Pattern ANNOTATED_TRIGGER = Pattern.compile("(github:[0-9a-f-]{8,})");
  static final List<String> GROUPS = List.of("tollgate-verifier", "tollgate-ledger");

  static final Map<String, Long> sentAt = new ConcurrentHashMap<>(); // trigger id -> nanos
  static final Map<String, String> kindOf = new ConcurrentHashMap<>(); // trigger id -> mix kind
  static final Map<String, Long> decidedAt = new ConcurrentHashMap<>();
  static final Map<String, String> outcomeOf = new ConcurrentHashMap<>();
  static final Map<String, Long> runAt = new ConcurrentHashMap<>();
  static final Map<String, Long> recordedAt = new ConcurrentHashMap<>(); // decision id -> nanos
  static final Map<String, String> decisionOf = new ConcurrentHashMap<>(); // trigger id -> decision id
  static final AtomicInteger failed = new AtomicInteger();
  static final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();
  static final Map<String, Integer> failures = new ConcurrentHashMap<>();
  static final AtomicInteger accepted = new AtomicInteger();
  static volatile boolean done;

  public static void main(String[] args) throws Exception {
    URI gateway = URI.create(args[0] + "/webhooks/github");
    int seconds = Integer.parseInt(args[1]);
    List<Integer> rates = new ArrayList<>();
    for (String r : args[2].split(",")) {
      rates.add(Integer.parseInt(r.trim()));
    }
    byte[] secret = System.getenv("TOLLGATE_BENCH_SECRET").getBytes(StandardCharsets.UTF_8);
    String kafka = System.getenv("TOLLGATE_BENCH_KAFKA");
    String kube = System.getenv("TOLLGATE_BENCH_KUBE");
    Map<String, Long> pids = new LinkedHashMap<>();
    for (String kv : System.getenv().getOrDefault("TOLLGATE_BENCH_PIDS", "").trim().split("\\s+")) {
      if (kv.contains("=")) {
        pids.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
      }
    }

    pids.put("load", ProcessHandle.current().pid());
    Thread decisions = daemon("decisions", () -> follow(kafka, "tollgate.decisions.v1", SystemLoad::onDecision));
    Thread ledger = daemon("ledger", () -> follow(kafka, "tollgate.ledger.v1", SystemLoad::onLedgerRecord));
    Thread runs = daemon("runs", () -> watchRuns(kube));
    decisions.start();
    ledger.start();
    runs.start();
    Thread.sleep(2000); // the consumers are at the topics' ends and the watch is open
    for (var e : pids.entrySet()) {
      if (!e.getKey().equals("registry") && !e.getKey().equals("load")) {
        jmx.put(e.getKey(), attach(e.getValue()));
      }
    }

    HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    List<String> summaries = new ArrayList<>();
    int highestBounded = 0;
    try (Admin admin = Admin.create(props(kafka))) {
      for (int rate : rates) {
        Step step = run(http, gateway, secret, admin, rate, seconds, pids);
        summaries.add(step.summary);
        if (step.bounded) {
          highestBounded = Math.max(highestBounded, rate);
        }
      }
    }
    done = true;
    System.out.println("memory: " + memory(pids));
    System.out.printf(
        "summary: system %s; highest rate with bounded lag %s; %s%n",
        String.join("; ", summaries),
        highestBounded == 0 ? "none of " + rates : highestBounded + "/s (of " + rates + ")",
        peakRss(pids));
  }

  record Step(String summary, boolean bounded) {}

  static Step run(
      HttpClient http, URI gateway, byte[] secret, Admin admin, int rate, int seconds, Map<String, Long> pids)
      throws Exception {
    String jfr = System.getenv("TOLLGATE_JFR");
    if (jfr != null && !jfr.isBlank()) {
      jmx.forEach((name, c) -> dcmd(c, "jfrStart", "name=bench-" + rate, "settings=profile"));
    }
    jdk.jfr.Recording self = null;
    if (jfr != null && !jfr.isBlank()) {
      self = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
      self.start();
    }
    Map<String, Long> requestsBefore = requestCounts(pids);
    Map<String, Long> apiBefore = apiRequests(System.getenv("TOLLGATE_BENCH_KUBE"));
    Map<String, Long> cpuBefore = cpu(pids);
    Map<String, Long> kindsBefore = cpuByThreadKind(pids);
    List<String> mine = Collections.synchronizedList(new ArrayList<>());
    int total = rate * seconds;
    long start = System.nanoTime();
    long periodNanos = 1_000_000_000L / rate;
    List<long[]> lags = Collections.synchronizedList(new ArrayList<>()); // {second, lags...}
    AtomicLong late = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean stepDone = new java.util.concurrent.atomic.AtomicBoolean();
    // Sampled on a thread of its own, so the open loop never waits for the broker's answer.
    Thread sampler =
        daemon(
            "lag",
            () -> {
              long next = start;
              while (!stepDone.get()) {
                lags.add(lagSample(admin, (System.nanoTime() - start) / 1_000_000_000L));
                next += 1_000_000_000L;
                sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
              }
            });
    sampler.start();
    for (int i = 0; i < total; i++) {
      long due = start + i * periodNanos;
      long now;
      while ((now = System.nanoTime()) < due) {
        long wait = due - now;
        if (wait > 200_000) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } else {
          Thread.onSpinWait();
        }
      }
      if (now - due > 10_000_000) {
        late.incrementAndGet(); // sent more than 10 ms after its instant
      }
      send(http, gateway, secret, i, mine);
    }
    long sendEnd = System.nanoTime();
    // Drain: until every accepted trigger of this step is decided and recorded, or 60 s.
    long drainDeadline = sendEnd + 60_000_000_000L;
    while (System.nanoTime() < drainDeadline && !drained(mine, total)) {
      Thread.sleep(200);
    }
    long drainedAt = System.nanoTime();
    stepDone.set(true);
    sampler.join();
    Map<String, Long> cpuAfter = cpu(pids);
    Map<String, Long> kindsAfter = cpuByThreadKind(pids);
    Map<String, Long> requestsAfter = requestCounts(pids);
    Map<String, Long> apiAfter = apiRequests(System.getenv("TOLLGATE_BENCH_KUBE"));
    if (jfr != null && !jfr.isBlank()) {
      jmx.forEach(
          (name, c) -> {
            dcmd(c, "jfrDump", "name=bench-" + rate, "filename=" + Path.of(jfr, name + "-" + rate + ".jfr").toAbsolutePath());
            dcmd(c, "jfrStop", "name=bench-" + rate);
          });
    }
    if (self != null) {
      self.dump(Path.of(jfr, "load-" + rate + ".jfr"));
      self.close();
    }

    List<Double> toDecision = new ArrayList<>();
    List<Double> toRun = new ArrayList<>();
    List<Double> toRecord = new ArrayList<>();
    Map<String, Integer> outcomes = new HashMap<>();
    int undecided = 0;
    int decided = 0;
    for (String id : List.copyOf(mine)) {
      long sent = sentAt.get(id);
      Long d = decidedAt.get(id);
      if (d == null) {
        undecided++;
        continue;
      }
      decided++;
      outcomes.merge(outcomeOf.get(id), 1, Integer::sum);
      toDecision.add(ms(d - sent));
      Long r = runAt.get(id);
      if (r != null) {
        toRun.add(ms(r - sent));
      }
      Long l = recordedAt.get(decisionId(id));
      if (l != null) {
        toRecord.add(ms(l - sent));
      }
    }
    // Bounded: the lag sampled in the last third of the sending phase is no larger than what one
    // second of traffic explains, or no larger than in its first third (it did not grow).
    boolean bounded = true;
    StringBuilder series = new StringBuilder();
    for (int g = 0; g < GROUPS.size(); g++) {
      long first = 0, last = 0, max = 0;
      StringBuilder s = new StringBuilder();
      for (long[] sample : List.copyOf(lags)) {
        s.append(sample[0]).append(':').append(sample[g + 1]).append(' ');
        max = Math.max(max, sample[g + 1]);
        if (sample[0] < seconds / 3) {
          first = Math.max(first, sample[g + 1]);
        } else if (sample[0] >= 2 * seconds / 3 && sample[0] < seconds) {
          last = Math.max(last, sample[g + 1]);
        }
      }
      boolean ok = last <= Math.max(rate, first);
      bounded &= ok;
      System.out.printf("lag %s at %d/s (second:records) %s%n", GROUPS.get(g), rate, s.toString().trim());
      series.append(String.format("%s max %d%s, ", GROUPS.get(g).replace("tollgate-", ""), max, ok ? "" : " GROWING"));
    }
    bounded &= undecided == 0 && failed.get() == 0;
    double drainSeconds = (drainedAt - sendEnd) / 1e9;
    System.out.printf(
        "rate %d/s for %d s: %d sent (%d late by >10 ms), %d accepted, %d failed %s, %d undecided; outcomes %s; %s after the last send%n",
        rate, seconds, total, late.get(), accepted.get(), failed.get(), failures, undecided, outcomes,
        drained(mine, total) ? String.format("drained %.1f s", drainSeconds) : String.format("NOT drained %.0f s", drainSeconds));
    System.out.printf(
        "  webhook->decision p50 %.1f ms p99 %.1f ms (n=%d); ->PipelineRun created p50 %.1f ms p99 %.1f ms (n=%d); ->ledger record of the decision p50 %.1f ms p99 %.1f ms (n=%d)%n",
        pct(toDecision, 50), pct(toDecision, 99), toDecision.size(), pct(toRun, 50), pct(toRun, 99), toRun.size(),
        pct(toRecord, 50), pct(toRecord, 99), toRecord.size());
    StringBuilder perWebhook = new StringBuilder();
    long sum = 0;
    for (var e : pids.entrySet()) {
      long ticks = cpuAfter.getOrDefault(e.getKey(), 0L) - cpuBefore.getOrDefault(e.getKey(), 0L);
      sum += ticks;
      perWebhook.append(String.format("%s %.0f us, ", e.getKey(), ticks * 10_000.0 / Math.max(1, decided)));
    }
    perWebhook.append(String.format("all %.0f us", sum * 10_000.0 / Math.max(1, decided)));
    System.out.println("  CPU per decided webhook (sending and draining): " + perWebhook);
    StringBuilder kinds = new StringBuilder();
    for (String name : pids.keySet()) {
      kinds.append(String.format("%s", name));
      for (String kind : List.of("jit", "gc")) {
        long ticks = kindsAfter.getOrDefault(name + " " + kind, 0L) - kindsBefore.getOrDefault(name + " " + kind, 0L);
        kinds.append(String.format(" %s %.0f", kind, ticks * 10_000.0 / Math.max(1, decided)));
      }
      kinds.append(" us, ");
    }
    System.out.println(
        "  of which JIT compiler threads and GC (G1 and VM) threads (at least: threads that ended are not counted): "
            + kinds.toString().replaceAll(", $", ""));
    System.out.println("  Kubernetes API requests per decided webhook: " + perDecided(apiBefore, apiAfter, decided));
    System.out.println("  Kafka requests per decided webhook (broker by API key, clients by process/client id): " + perDecided(requestsBefore, requestsAfter, decided));
    failed.set(0);
    accepted.set(0);
    failures.clear();
    String summary =
        String.format(
            "%d/s: decision p50 %.0f p99 %.0f ms, run p50 %.0f p99 %.0f ms, ledger p50 %.0f p99 %.0f ms, lag %s%s",
            rate, pct(toDecision, 50), pct(toDecision, 99), pct(toRun, 50), pct(toRun, 99),
            pct(toRecord, 50), pct(toRecord, 99), series.toString().replaceAll(", $", ""),
            bounded ? " (bounded)" : " (NOT bounded)");
    return new Step(summary + ", CPU/webhook " + perWebhook, bounded);
  }

  static boolean drained(List<String> mine, int total) {
    if (accepted.get() + failed.get() < total) {
      return false;
    }
    for (String id : List.copyOf(mine)) {
      if (refused.contains(id)) {
        continue;
      }
      if (!decidedAt.containsKey(id) || !recordedAt.containsKey(decisionOf.get(id))) {
        return false;
      }
      if ("admitted".equals(outcomeOf.get(id)) && !runAt.containsKey(id)) {
        return false;
      }
    }
    return true;
  }

  static void send(HttpClient http, URI gateway, byte[] secret, int i, List<String> mine) throws Exception {
    String kind = switch (i % 10) {
      case 0, 1, 2, 3, 4, 5 -> "admitted";
      case 6, 7 -> "denied";
      default -> "ignored";
    };
    String repo = switch (kind) {
      case "admitted" -> "octo-org/hello-world";
      case "denied" -> "octo-org/tampered";
      default -> "octo-org/unknown-" + (i % 97);
    };
    String delivery = UUID.randomUUID().toString();
    byte[] body =
        ("{\"ref\":\"refs/heads/main\",\"before\":\"6113728f27ae82c7b1a177c8d03f9e96e0adf246\","
                + "\"after\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\",\"commits\":[],"
                + "\"pusher\":{\"name\":\"octocat\"},\"repository\":{\"full_name\":\"" + repo + "\"},"
                + "\"sender\":{\"login\":\"octocat\",\"id\":1}}")
            .getBytes(StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    String sig = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    String triggerId = "github:" + delivery;
    decisionOf.put(triggerId, decisionId(triggerId)); // once, not on every check while draining
    sentAt.put(triggerId, System.nanoTime());
    kindOf.put(triggerId, kind);
    mine.add(triggerId);
    HttpRequest request =
        HttpRequest.newBuilder(gateway)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", sig)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              if (error == null && response.statusCode() == 202) {
                accepted.incrementAndGet();
              } else {
                if (error == null) {
                  refused.add(triggerId); // answered: not emitted, or not known to be
                }
                failed.incrementAndGet();
                failures.merge(
                    error == null ? "HTTP " + response.statusCode() : rootCause(error).getClass().getSimpleName(),
                    1,
                    Integer::sum);
              }
            });
  }

  interface OnRecord {
    void on(ConsumerRecord<String, byte[]> record, long at);
  }

  static void follow(String kafka, String topic, OnRecord on) {
    Properties p = props(kafka);
    p.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    p.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    p.put("isolation.level", "read_committed");
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo info : c.partitionsFor(topic)) {
        parts.add(new TopicPartition(topic, info.partition()));
      }
      c.assign(parts);
      c.seekToEnd(parts);
      while (!done) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(50))) {
          on.on(r, System.nanoTime());
        }
      }
    }
  }

  static void onDecision(ConsumerRecord<String, byte[]> r, long at) {
    String value = new String(r.value(), StandardCharsets.UTF_8);
    Matcher id = TRIGGER_ID.matcher(value);
    Matcher outcome = OUTCOME.matcher(value);
    if (id.find()) {
      decidedAt.putIfAbsent(id.group(1), at);
      outcomeOf.putIfAbsent(id.group(1), outcome.find() ? outcome.group(1) : "?");
    }
  }

  static void onLedgerRecord(ConsumerRecord<String, byte[]> r, long at) {
    Matcher id = EVENT_ID.matcher(new String(r.value(), StandardCharsets.UTF_8));
    if (id.find()) {
      recordedAt.putIfAbsent(id.group(1), at);
    }
  }

  /**
   * Every PipelineRun added, by the trigger id in its annotations, from a watch of all namespaces.
   * Over a WebSocket, as kubectl and fabric8 watch: the embedded API server streams watches only
   * that way.
   */
  static void watchRuns(String kube) {
    HttpClient http = HttpClient.newHttpClient();
    StringBuilder message = new StringBuilder();
    http.newWebSocketBuilder()
        .buildAsync(
            URI.create(kube.replaceFirst("^http", "ws") + "/apis/tekton.dev/v1/pipelineruns?watch=true"),
            new java.net.http.WebSocket.Listener() {
              @Override
              public java.util.concurrent.CompletionStage<?> onText(
                  java.net.http.WebSocket ws, CharSequence data, boolean last) {
                long at = System.nanoTime();
                message.append(data);
                if (last) {
                  String event = message.toString();
                  message.setLength(0);
                  if (event.contains("\"ADDED\"")) {
                    Matcher m = ANNOTATED_TRIGGER.matcher(event);
                    if (m.find()) {
                      runAt.putIfAbsent(m.group(1), at);
                    }
                  }
                }
                ws.request(1);
                return null;
              }
            })
        .join();
  }

  static long[] lagSample(Admin admin, long second) {
    long[] sample = new long[GROUPS.size() + 1];
    sample[0] = second;
    try {
      for (int g = 0; g < GROUPS.size(); g++) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(GROUPS.get(g)).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        for (TopicPartition tp : committed.keySet()) {
          if (tp.topic().startsWith("tollgate.") && !tp.topic().equals("tollgate.ledger.v1")) {
            ask.put(tp, OffsetSpec.latest());
          }
        }
        var ends = admin.listOffsets(ask, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        long lag = 0;
        for (var e : ends.entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
        }
        sample[g + 1] = lag;
      }
    } catch (Exception e) {
      sample[1] = -1;
    }
    return sample;
  }

  static final Map<String, MBeanServerConnection> jmx = new LinkedHashMap<>();

  /** The JVM's platform MBean server, through its local management agent (started if need be). */
  static MBeanServerConnection attach(long pid) {
    try {
      com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
      try {
        String address = vm.startLocalManagementAgent();
        return JMXConnectorFactory.connect(new JMXServiceURL(address)).getMBeanServerConnection();
      } finally {
        vm.detach();
      }
    } catch (Exception e) {
      System.out.println("bench: no JMX for pid " + pid + ": " + e);
      return null;
    }
  }

  /** A diagnostic command (jcmd's) run in the JVM, e.g. jfrStart name=x settings=profile. */
  static void dcmd(MBeanServerConnection c, String command, String... args) {
    if (c == null) {
      return;
    }
    try {
      c.invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"),
          command,
          new Object[] {args},
          new String[] {String[].class.getName()});
    } catch (Exception e) {
      System.out.println("bench: " + command + " failed: " + e);
    }
  }

  /**
   * Kafka request counts so far: the broker's by API key ("broker Produce"), and every client's
   * requests sent ("gateway tollgate-gateway-deliveries"), from the JVMs' MBeans.
   */
  static Map<String, Long> requestCounts(Map<String, Long> pids) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    jmx.forEach(
        (name, c) -> {
          if (c == null) {
            return;
          }
          try {
            for (ObjectName o : c.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
              long n = ((Number) c.getAttribute(o, "Count")).longValue();
              counts.merge("broker " + o.getKeyProperty("request"), n, Long::sum);
            }
            for (String type : List.of("producer", "consumer", "admin-client")) {
              for (ObjectName o : c.queryNames(new ObjectName("kafka." + type.replace("-client", ".client") + ":type=" + type + "-metrics,*"), null)) {
                if (o.getKeyProperty("client-id") == null || o.getKeyPropertyList().size() != 2) {
                  continue;
                }
                Object n = c.getAttribute(o, "request-total");
                if (n instanceof Number v) {
                  counts.merge(name + " " + type + " " + o.getKeyProperty("client-id").replaceAll("-[0-9a-f-]{20,}$", ""), (long) v.doubleValue(), Long::sum);
                }
              }
            }
          } catch (Exception e) {
            System.out.println("bench: no Kafka metrics from " + name + ": " + e);
          }
        });
    return counts;
  }

  /** The embedded API server's request counts by verb and path shape; empty for another server. */
  static Map<String, Long> apiRequests(String kube) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(URI.create(kube + "/_tollgate/requests")).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        for (String line : r.body().split("\n")) {
          int sp = line.indexOf(' ');
          if (sp > 0) {
            counts.put(line.substring(sp + 1), Long.parseLong(line.substring(0, sp)));
          }
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      System.out.println("bench: no request counts from the API server: " + e);
    }
    return counts;
  }

  /** Each count's growth per decided webhook, the largest first, those under 0.01 left out. */
  static String perDecided(Map<String, Long> before, Map<String, Long> after, int decided) {
    List<Map.Entry<String, Long>> grown = new ArrayList<>();
    after.forEach((k, v) -> grown.add(Map.entry(k, v - before.getOrDefault(k, 0L))));
    grown.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    StringBuilder out = new StringBuilder();
    for (var e : grown) {
      double per = e.getValue() / (double) Math.max(1, decided);
      if (per >= 0.01) {
        out.append(String.format("%n    %7.2f  %s", per, e.getKey()));
      }
    }
    return out.length() == 0 ? "none" : out.toString();
  }

  /**
   * CPU ticks so far of each process's JIT compiler threads ("name jit") and garbage collector
   * threads ("name gc"), from /proc/PID/task: what warm-up and memory management cost, apart from
   * the work itself.
   */
  static Map<String, Long> cpuByThreadKind(Map<String, Long> pids) {
    Map<String, Long> ticks = new HashMap<>();
    for (var e : pids.entrySet()) {
      try (var tasks = Files.list(Path.of("/proc/" + e.getValue() + "/task"))) {
        for (Path task : tasks.toList()) {
          String s;
          try {
            s = Files.readString(task.resolve("stat"));
          } catch (IOException gone) {
            continue; // the thread ended
          }
          String comm = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
          String kind =
              comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")
                  ? "jit"
                  : comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread")
                      ? "gc"
                      : null;
          if (kind != null) {
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            ticks.merge(e.getKey() + " " + kind, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
          }
        }
      } catch (IOException gone) {
        // the process ended
      }
    }
    return ticks;
  }

  static Map<String, Long> cpu(Map<String, Long> pids) throws IOException {
    Map<String, Long> ticks = new HashMap<>();
    for (var e : pids.entrySet()) {
      Path stat = Path.of("/proc/" + e.getValue() + "/stat");
      if (Files.exists(stat)) {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        ticks.put(e.getKey(), Long.parseLong(f[11]) + Long.parseLong(f[12])); // utime + stime
      }
    }
    return ticks;
  }

  static String peakRss(Map<String, Long> pids) throws IOException {
    StringBuilder b = new StringBuilder("peak RSS (VmHWM)");
    for (var e : pids.entrySet()) {
      b.append(' ').append(e.getKey()).append('=').append(status(e.getValue(), "VmHWM"));
    }
    return b.toString();
  }

  /** Peak resident memory and, for the JVMs, the heap as jcmd GC.heap_info reports it at the end. */
  static String memory(Map<String, Long> pids) throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder();
    for (var e : pids.entrySet()) {
      b.append(String.format("%n  %s: VmHWM %s", e.getKey(), status(e.getValue(), "VmHWM")));
      if (!e.getKey().equals("registry") && !e.getKey().equals("load")) {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(e.getValue()), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        for (String line : out.split("\n")) {
          if (line.contains("total") && line.contains("used")) {
            b.append("; heap ").append(line.trim());
            break;
          }
        }
      }
    }
    return b.toString();
  }

  static String status(long pid, String field) throws IOException {
    Path p = Path.of("/proc/" + pid + "/status");
    if (!Files.exists(p)) {
      return "?";
    }
    for (String line : Files.readAllLines(p)) {
      if (line.startsWith(field + ":")) {
        long kb = Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        return (kb / 1024) + "MB";
      }
    }
    return "?";
  }

  static String decisionId(String triggerId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(("tollgate.decision.v1\0" + triggerId).getBytes(StandardCharsets.UTF_8));
      return "dec-" + HexFormat.of().formatHex(d).substring(0, 32);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  static Properties props(String kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka);
    return p;
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  static double pct(List<Double> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
