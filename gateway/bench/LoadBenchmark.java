/*
 * Tollgate gateway load benchmark: signed 4 KB GitHub push deliveries (push-4k.json beside this file:
 * a push payload with GitHub's fields, compact as GitHub sends it) with distinct delivery ids, side by
 * side with a trivial endpoint on the same server as the ceiling. JDK only; run with the source
 * launcher (java LoadBenchmark.java ...), normally through gateway/bench/run.
 *
 * Phases:
 *   1. trivial   POST /benchmark/trivial, closed loop, C connections, D seconds: the server's ceiling.
 *   2. webhook   POST /webhooks/github, closed loop, same C and D: accepted (202) deliveries/s.
 *   3. half      POST /webhooks/github, open loop at half the webhook rate of phase 2, D seconds;
 *                latency measured from each request's scheduled start (no coordinated omission).
 *
 * Arguments: <base url> [connections=128] [seconds=20] [warm-up seconds=10] [warm-up rounds=4].
 * The warm-up alternates both endpoints for that many rounds before anything is measured: with
 * fewer, the gateway's and the broker's JIT compilers were still busy in the measured phases and
 * charged them tens of microseconds per webhook. 128 connections because a webhook is answered
 * only after Kafka's acknowledgement (linger plus a produce round trip, a few milliseconds), so a
 * closed loop of 32 connections measures that wait rather than the server's capacity; the trivial
 * endpoint's rate hardly depends on the count. The webhook secret is read from the environment
 * variable TOLLGATE_BENCH_SECRET, not from the command line, where ps would show it.
 *
 * With TOLLGATE_BENCH_PIDS="gateway=<pid> kafka=<pid>" (Linux), each phase also reports the CPU time
 * those processes, and this load generator itself ("client"), spent per successful request (from
 * /proc/<pid>/stat), a figure that, unlike the rates, hardly depends on what else the machine is
 * running. The client's share matters: on a 2-core machine it runs on the same cores.
 */
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class LoadBenchmark {

  record Result(
      String name, long ok, long failed, double seconds, long[] latenciesNanos, String cpu) {
    double rate() {
      return ok / seconds;
    }

    double percentileMillis(double p) {
      if (latenciesNanos.length == 0) {
        return Double.NaN;
      }
      long[] sorted = latenciesNanos.clone();
      Arrays.sort(sorted);
      int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }

    String line() {
      return String.format(
          Locale.ROOT,
          "%-8s ok=%d failed=%d rate=%.0f/s p50=%.2fms p99=%.2fms%s",
          name, ok, failed, rate(), percentileMillis(50), percentileMillis(99), cpu);
    }
  }

  public static void main(String[] args) throws Exception {
    String secretText = System.getenv("TOLLGATE_BENCH_SECRET");
    if (args.length < 1 || secretText == null || secretText.isEmpty()) {
      System.err.println(
          "usage: TOLLGATE_BENCH_SECRET=... LoadBenchmark <base url> [connections] [seconds]"
              + " [warm-up seconds] [warm-up rounds]");
      System.exit(2);
    }
    String base = args[0];
    byte[] secret = secretText.getBytes(StandardCharsets.UTF_8);
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmupSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int warmupRounds = args.length > 4 ? Integer.parseInt(args[4]) : 4;
    byte[] body = body();
    String signature = "sha256=" + HexFormat.of().formatHex(hmac(secret, body));
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    System.out.printf(
        Locale.ROOT,
        "body=%d bytes connections=%d seconds=%d warm-up=%d rounds of %d s per endpoint%n",
        body.length, connections, seconds, warmupRounds, warmupSeconds);
    // Warm up both paths (JIT, connection pool, Kafka producer metadata), alternating, for several
    // rounds: the JIT compiles the shared HTTP path again when the other endpoint's traffic changes
    // its profile, and a compiler thread busy during a measured phase charges its CPU to that phase.
    // Each round says how much CPU the gateway's JIT compiler threads spent; the measured phases
    // report it too ("JIT ..."), so a phase the JIT still disturbed shows.
    for (int round = 1; round <= warmupRounds; round++) {
      Map<String, Long> jit = jitTicks();
      closedLoop("warmup", client, base + "/benchmark/trivial", body, signature, connections, warmupSeconds, false);
      closedLoop("warmup", client, base + "/webhooks/github", body, signature, connections, warmupSeconds, true);
      System.out.printf(
          Locale.ROOT, "warm-up round %d of %d: %s%n", round, warmupRounds, jitSeconds(jit, jitTicks()));
    }

    Map<String, Long> cpu = cpuTicks();
    Result trivial =
        withCpu(
            closedLoop("trivial", client, base + "/benchmark/trivial", body, signature, connections, seconds, false),
            cpu);
    System.out.println(trivial.line());
    cpu = cpuTicks();
    Result webhook =
        withCpu(
            closedLoop("webhook", client, base + "/webhooks/github", body, signature, connections, seconds, true),
            cpu);
    System.out.println(webhook.line());
    double half = webhook.rate() / 2;
    cpu = cpuTicks();
    Result paced =
        withCpu(
            openLoop("half", client, base + "/webhooks/github", body, signature, connections, seconds, half),
            cpu);
    System.out.println(paced.line() + String.format(Locale.ROOT, " target=%.0f/s", half));
    if (!FAILURES.isEmpty()) {
      System.out.println("failed requests, whole run (warm-up included): " + FAILURES);
    }
    double load = loadAverage();
    // One line to paste into the README's performance table.
    System.out.printf(
        Locale.ROOT,
        "summary: %d cores, load average %.1f: webhooks %.0f/s = %.0f%% of the trivial endpoint's %.0f/s"
            + " (%d connections); p50 %.1f ms, p99 %.1f ms; at half that rate (%.0f/s) p50 %.1f ms,"
            + " p99 %.1f ms%s%n",
        Runtime.getRuntime().availableProcessors(), load, webhook.rate(),
        100 * webhook.rate() / trivial.rate(), trivial.rate(), connections,
        webhook.percentileMillis(50), webhook.percentileMillis(99), paced.rate(),
        paced.percentileMillis(50), paced.percentileMillis(99),
        webhook.cpu().isEmpty() ? "" : ";" + webhook.cpu().replace(" cpu/request:", " CPU per webhook:")
            + " (trivial:" + trivial.cpu().replace(" cpu/request:", "") + ")");
  }

  /** The 1-minute load average, or NaN where /proc/loadavg does not exist. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  static Result closedLoop(
      String name, HttpClient client, String url, byte[] body, String signature,
      int connections, int seconds, boolean webhook) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<long[]> perThread = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < connections; t++) {
      long[] latencies = new long[2_000_000 / connections];
      perThread.add(latencies);
      int slot = perThread.size() - 1;
      Thread thread =
          new Thread(
              () -> {
                int n = 0;
                while (System.nanoTime() < end) {
                  long begin = System.nanoTime();
                  boolean good = send(client, url, body, signature, webhook);
                  long took = System.nanoTime() - begin;
                  if (good) {
                    ok.incrementAndGet();
                    if (n < latencies.length) {
                      latencies[n++] = took;
                    }
                  } else {
                    failed.incrementAndGet();
                  }
                }
                perThread.set(slot, Arrays.copyOf(latencies, n));
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Result(name, ok.get(), failed.get(), elapsed, merge(perThread), "");
  }

  /** The processes TOLLGATE_BENCH_PIDS names ("gateway=<pid> kafka=<pid>"), by name. */
  static Map<String, Long> watched() {
    Map<String, Long> pids = new LinkedHashMap<>();
    String named = System.getenv("TOLLGATE_BENCH_PIDS");
    if (named != null && !named.isBlank()) {
      for (String entry : named.trim().split("\\s+")) {
        String[] nameAndPid = entry.split("=", 2);
        pids.put(nameAndPid[0], Long.parseLong(nameAndPid[1]));
      }
    }
    return pids;
  }

  /** CPU ticks per watched process, now. */
  static Map<String, Long> cpuTicks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    watched().forEach((name, pid) -> cpuTicks(name, pid, ticks));
    if (!ticks.isEmpty()) {
      cpuTicks("client", ProcessHandle.current().pid(), ticks);
      // The part of each process's CPU that its JIT compiler threads spent, reported apart.
      jitTicks().forEach((name, jit) -> ticks.put(JIT + name, jit));
    }
    return ticks;
  }

  /** The prefix of the JIT compiler threads' entries among {@link #cpuTicks()}. */
  static final String JIT = "jit:";

  /** Adds the user + system ticks of one process, when /proc says. */
  static void cpuTicks(String name, long pid, Map<String, Long> ticks) {
    try {
      ticks.put(name, statTicks(Path.of("/proc", Long.toString(pid))));
    } catch (Exception e) {
      // Not Linux, or the process is gone: no CPU figure.
    }
  }

  /** User + system ticks from {@code <dir>/stat}, a process's or a thread's. */
  static long statTicks(Path dir) throws Exception {
    String stat = Files.readString(dir.resolve("stat"));
    // Fields after the command name (which is in parentheses and may contain spaces).
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /**
   * CPU ticks of the JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre") of each watched
   * JVM, now; Linux only.
   */
  static Map<String, Long> jitTicks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    watched().forEach(
        (name, pid) -> {
          long sum = 0;
          try (var threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) threads::iterator) {
              try {
                String comm = Files.readString(task.resolve("comm"));
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                  sum += statTicks(task);
                }
              } catch (Exception gone) {
                // A compiler thread may end between the listing and the read.
              }
            }
            ticks.put(name, sum);
          } catch (Exception e) {
            // Not Linux, or the process is gone.
          }
        });
    return ticks;
  }

  /** "JIT compiler threads: gateway=1.20s kafka=0.05s" between two {@link #jitTicks()}. */
  static String jitSeconds(Map<String, Long> before, Map<String, Long> after) {
    if (before.isEmpty()) {
      return "JIT compiler threads: not measured (TOLLGATE_BENCH_PIDS unset, or not Linux)";
    }
    StringBuilder out = new StringBuilder("JIT compiler threads:");
    before.forEach(
        (name, ticks) ->
            out.append(String.format(
                Locale.ROOT, " %s=%.2fs", name, (after.getOrDefault(name, ticks) - ticks) / 100.0)));
    return out.toString();
  }

  /**
   * " cpu/request: gateway=123us kafka=45us client=90us (JIT gateway=2us kafka=0us)", from ticks
   * before and after a phase; the JIT figures are part of their process's.
   */
  static String cpuPerRequest(Map<String, Long> before, Map<String, Long> after, long requests) {
    if (before.isEmpty() || requests == 0) {
      return "";
    }
    StringBuilder out = new StringBuilder(" cpu/request:");
    StringBuilder jit = new StringBuilder();
    // USER_HZ is 100 on every Linux this runs on.
    before.forEach(
        (name, ticks) -> {
          String micros = String.format(
              Locale.ROOT, "=%.0fus", (after.getOrDefault(name, ticks) - ticks) * 10_000.0 / requests);
          if (name.startsWith(JIT)) {
            jit.append(jit.length() == 0 ? " (JIT " : " ").append(name.substring(JIT.length())).append(micros);
          } else {
            out.append(' ').append(name).append(micros);
          }
        });
    return out.append(jit).append(jit.length() == 0 ? "" : ")").toString();
  }

  static Result withCpu(Result r, Map<String, Long> before) {
    return new Result(
        r.name(), r.ok(), r.failed(), r.seconds(), r.latenciesNanos(),
        cpuPerRequest(before, cpuTicks(), r.ok()));
  }

  static Result openLoop(
      String name, HttpClient client, String url, byte[] body, String signature,
      int connections, int seconds, double rate) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<long[]> perThread = new ArrayList<>();
    long total = (long) (rate * seconds);
    long intervalNanos = (long) (1e9 / rate);
    long start = System.nanoTime() + 100_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < connections; t++) {
      int offset = t;
      long[] latencies = new long[(int) (total / connections + 2)];
      perThread.add(latencies);
      int slot = perThread.size() - 1;
      Thread thread =
          new Thread(
              () -> {
                int n = 0;
                for (long k = offset; k < total; k += connections) {
                  long scheduled = start + k * intervalNanos;
                  long wait = scheduled - System.nanoTime();
                  if (wait > 0) {
                    try {
                      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  boolean good = send(client, url, body, signature, true);
                  long took = System.nanoTime() - scheduled;
                  if (good) {
                    ok.incrementAndGet();
                    latencies[n++] = took;
                  } else {
                    failed.incrementAndGet();
                  }
                }
                perThread.set(slot, Arrays.copyOf(latencies, n));
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    double elapsed = Math.max(seconds, (System.nanoTime() - start) / 1e9);
    return new Result(name, ok.get(), failed.get(), elapsed, merge(perThread), "");
  }

  /** Why requests failed (status, or exception and message), counted over the whole run. */
  static final Map<String, AtomicLong> FAILURES = new ConcurrentSkipListMap<>();

  static boolean send(HttpClient client, String url, byte[] body, String signature, boolean webhook) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (webhook) {
      request
          .header("X-Hub-Signature-256", signature)
          .header("X-GitHub-Event", "push")
          // Distinct ids from a thread-local generator: UUID.randomUUID() would serialize every
          // client thread on one SecureRandom and charge the webhook phase for it.
          .header("X-GitHub-Delivery", deliveryId());
    }
    try {
      HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() == 202) {
        return true;
      }
      return failed("HTTP " + response.statusCode());
    } catch (Exception e) {
      return failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Counts one failed request under {@code reason}; always false, the request's outcome. */
  static boolean failed(String reason) {
    FAILURES.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    return false;
  }

  static String deliveryId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  static long[] merge(List<long[]> parts) {
    return parts.stream().flatMapToLong(Arrays::stream).toArray();
  }

  /** The delivery body: the file TOLLGATE_BENCH_BODY names (gateway/bench/run passes push-4k.json). */
  static byte[] body() throws Exception {
    String file = System.getenv("TOLLGATE_BENCH_BODY");
    if (file == null || file.isEmpty()) {
      throw new IllegalStateException("TOLLGATE_BENCH_BODY must name the delivery body's file");
    }
    return Files.readAllBytes(Path.of(file));
  }

  static byte[] hmac(byte[] secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return mac.doFinal(body);
  }
}
