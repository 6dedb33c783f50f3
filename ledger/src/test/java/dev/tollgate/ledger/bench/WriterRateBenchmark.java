package dev.tollgate.ledger.bench;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.trust.SourceTrust;
import dev.tollgate.ledger.writer.LedgerWriter;
import dev.tollgate.ledger.writer.WriterSettings;
import dev.tollgate.ledger.writer.WriterState;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ledger writer's CPU per record at a low fixed rate (issue 19; {@code ledger/bench/rate [rate]
 * [seconds] [signed|unsigned]}, never run by the tests): 4 KB push triggers are sent in an open
 * loop at {@code rate} events/s spread over the four source topics, each signed by its topic's
 * signer, to a real in-JVM broker and a running writer with a data directory. After a warm-up of a
 * third of the run, and once the writer has caught up with the sends, it reports the CPU time per
 * recorded event of the writer's threads ({@code ledger-*} and its Kafka clients' threads) and of
 * the whole process (writer, broker, load), and the time from send to the record being read back
 * from the ledger topic. At low rates the fixed costs of transactions, polls, offset commits and
 * data-directory writes dominate: this is what the benchmark shows.
 */
@SuppressForbidden("a command-line benchmark prints its figures")
public final class WriterRateBenchmark {

  private static final EventType[] TYPES = {
    EventType.TRIGGER, EventType.REJECTION, EventType.DECISION, EventType.RUN
  };

  private static final String GROUP = "bench-group-" + UUID.randomUUID();
  private static final String TRANSACTIONAL_ID = "bench-writer-" + UUID.randomUUID();

  private WriterRateBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 250;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    boolean signed = args.length <= 2 || args[2].equals("signed");
    Duration linger =
        args.length > 3
            ? Duration.ofMillis(Long.parseLong(args[3]))
            : WriterSettings.Batching.DEFAULTS.linger();
    int warmUp = Math.max(5, seconds / 3);
    System.out.printf(
        Locale.ROOT,
        "bench: %d cores, JDK %s, %d events/s for %d s after %d s of warm-up, %s, linger %d ms,"
            + " load average %s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        rate,
        seconds,
        warmUp,
        signed ? "signed" : "unsigned",
        linger.toMillis(),
        loadAverage());
    PushTriggers payloads = new PushTriggers();
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        TemporaryDirectory scratch = TemporaryDirectory.create("tollgate-bench-rate-")) {
      Map<String, LedgerRecord.Kind> sources = new HashMap<>();
      String[] topics = new String[TYPES.length];
      for (int i = 0; i < TYPES.length; i++) {
        topics[i] = Topics.create(kafka, TYPES[i]);
        sources.put(topics[i], LedgerRecord.Kind.valueOf(TYPES[i].name()));
      }
      String ledger = Topics.create(kafka, EventType.LEDGER_RECORD);
      WriterSettings settings =
          new WriterSettings(
                  kafka.bootstrapServers(),
                  sources,
                  ledger,
                  GROUP,
                  TRANSACTIONAL_ID,
                  Duration.ofMillis(500),
                  Duration.ofMillis(200),
                  CheckpointPolicy.defaults(ledger),
                  Optional.of(scratch.path().resolve("data")))
              .withBatching(
                  new WriterSettings.Batching(
                      WriterSettings.Batching.DEFAULTS.maxRecords(), linger));
      SourceTrust trust = signed ? EventKeys.trust() : SourceTrust.none();
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      List<Long> latencies = new ArrayList<>();
      try (LedgerWriter writer =
              new LedgerWriter(settings, TestKeys.signer(), List.of(), trust, Clock.systemUTC());
          KafkaProducer<byte[], byte[]> producer = Topics.producer(kafka.bootstrapServers());
          KafkaConsumer<byte[], byte[]> reader = ledgerReader(kafka, ledger)) {
        writer.start();
        while (writer.state() != WriterState.WRITING) {
          Thread.sleep(50);
        }
        TopicPartition ledgerPartition = new TopicPartition(ledger, 0);
        reader.assign(List.of(ledgerPartition));
        reader.seekToBeginning(List.of(ledgerPartition));
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long measureFrom = start + warmUp * 1_000_000_000L;
        long giveUp = measureFrom + 120_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        long next = start;
        long n = 0;
        Totals before = null;
        long appendedBefore = 0;
        long sentBefore = 0;
        while (System.nanoTime() < end) {
          long now = System.nanoTime();
          if (before == null && now > giveUp) {
            throw new IllegalStateException(
                "the writer did not catch up with " + rate + " events/s in two minutes");
          }
          if (before == null && now >= measureFrom && n - writer.appendedCount() > rate) {
            // Still catching up with the warm-up's backlog, which batches well: not the low rate
            // this measures. Measuring starts once the writer is within a second of the sends.
            measureFrom = now + 1_000_000_000L;
            end = measureFrom + seconds * 1_000_000_000L;
          }
          if (before == null && now >= measureFrom) {
            before = Totals.now();
            appendedBefore = writer.appendedCount();
            sentBefore = n;
            latencies.clear();
          }
          while (next <= now) {
            send(producer, topics, payloads, n++, signed, sentAt);
            next += periodNanos;
          }
          // Waits in the reader's poll until the next send is due: no busy loop on the broker.
          long wait = Math.max(0, Math.min(next, end) - System.nanoTime()) / 1_000_000L;
          for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(wait))) {
            Header subject = record.headers().lastHeader("ce_subject");
            Long at =
                subject == null
                    ? null
                    : sentAt.remove(new String(subject.value(), StandardCharsets.UTF_8));
            if (at != null) {
              latencies.add(System.nanoTime() - at);
            }
          }
        }
        Totals after = Totals.now();
        long appended = writer.appendedCount() - appendedBefore;
        if (writer.state() != WriterState.WRITING) {
          throw new IllegalStateException("writer stopped: " + writer.state());
        }
        System.out.printf(
            Locale.ROOT,
            "bench: %,d events sent while measuring, %,d recorded; %,d sent in all%n",
            n - sentBefore,
            appended,
            n);
        report(rate, seconds, signed, linger, appended, before, after, latencies);
      }
    }
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String[] topics,
      PushTriggers payloads,
      long n,
      boolean signed,
      Map<String, Long> sentAt) {
    int t = (int) (n % topics.length);
    String id = "github:bench-" + n;
    byte[] data = payloads.data(n);
    Headers headers = Topics.ceHeaders(TYPES[t], id);
    if (signed) {
      EventKeys.sign(headers, data, EventKeys.owner(LedgerRecord.Kind.valueOf(TYPES[t].name())));
    }
    sentAt.put(id, System.nanoTime());
    producer.send(
        new ProducerRecord<>(topics[t], null, id.getBytes(StandardCharsets.UTF_8), data, headers));
  }

  private static KafkaConsumer<byte[], byte[]> ledgerReader(EmbeddedKafka kafka, String ledger) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void report(
      int rate,
      int seconds,
      boolean signed,
      Duration linger,
      long appended,
      Totals before,
      Totals after,
      List<Long> latencies) {
    double writerMs = (after.writer - before.writer) / 1e6 / appended;
    double processMs = (after.process - before.process) / 1e6 / appended;
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    double p50 = percentile(sorted, 0.50);
    double p99 = percentile(sorted, 0.99);
    System.out.printf(
        Locale.ROOT,
        "bench: %,d events recorded in %d s (%.0f/s); writer threads %.3f ms CPU per record,"
            + " whole process (writer, broker, load) %.3f ms; send to ledger record p50 %.0f ms,"
            + " p99 %.0f ms%n",
        appended,
        seconds,
        appended / (double) seconds,
        writerMs,
        processMs,
        p50,
        p99);
    System.out.printf(
        Locale.ROOT,
        "summary: ledger writer at %d events/s (%s, linger %d ms, 4 topics, 4 KB push triggers,"
            + " data directory):"
            + " %.3f ms CPU per record in the writer's threads, %.3f ms in the whole process with"
            + " the in-JVM broker; record latency p50 %.0f ms, p99 %.0f ms; load average %s%n",
        rate,
        signed ? "signed" : "unsigned",
        linger.toMillis(),
        writerMs,
        processMs,
        p50,
        p99,
        loadAverage());
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }

  /** CPU nanoseconds so far of the writer's threads and of the whole process. */
  private record Totals(long writer, long process) {
    static Totals now() {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long[] ids = threads.getAllThreadIds();
      ThreadInfo[] infos = threads.getThreadInfo(ids);
      long writer = 0;
      for (int i = 0; i < ids.length; i++) {
        String name = infos[i] == null ? "" : infos[i].getThreadName();
        // The writer thread and its pool, and the writer's Kafka clients' own threads.
        if (name.startsWith("ledger-") || name.contains(GROUP) || name.contains(TRANSACTIONAL_ID)) {
          writer += Math.max(0, threads.getThreadCpuTime(ids[i]));
        }
      }
      return new Totals(writer, processCpuNanos());
    }

    /** utime + stime of this process from /proc/self/stat, in clock ticks of 10 ms. */
    private static long processCpuNanos() {
      try {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 of stat(5), counted after the command name's closing parenthesis.
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 10_000_000L;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return String.join(" ", Arrays.copyOf(fields, 3));
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
