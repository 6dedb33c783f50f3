package dev.tollgate.ledger.bench;

import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.ledger.append.AppendStep;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.append.EventPreparation;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.privacy.PayloadSealer;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.store.LedgerDataDir;
import dev.tollgate.ledger.store.LedgerState;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.trust.SourceTrust;
import dev.tollgate.schemas.SuppressForbidden;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The ledger writer's heap over millions of records (issue 17, section 5; {@code ledger/bench/heap
 * [records] [signed]}, never run by the tests): 4 KB GitHub push triggers go through the append
 * step (records built, signed and verified as the auditor would, Merkle tree, checkpoints) and the
 * writer's state and data directory (event ids, links, offsets) exactly as committed transactions
 * of the writer do; only the broker is left out. The script runs it under the pod's limit ({@code
 * -Xmx768m}), so finishing is itself the proof; it prints the heap used after a full GC at every
 * tenth of the run and the most heap in use at once, each as a share of 768 MiB, with appends/s of
 * the append step and store alone. With {@code signed}, events carry the gateway's signature and
 * the writer checks it, as in production; a second thread makes (and signs) the events.
 */
@SuppressForbidden("a command-line benchmark prints its figures")
public final class WriterHeapBenchmark {

  private static final long POD_LIMIT = 768L << 20;
  private static final int BATCH = 500;
  private static final String LEDGER = "tollgate.ledger.v1";

  private WriterHeapBenchmark() {}

  public static void main(String[] args) throws Exception {
    long records = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000L;
    boolean signed = args.length > 1 && args[1].equals("signed");
    System.out.printf(
        Locale.ROOT,
        "bench: %d cores, JDK %s, max heap %d MiB, load average %s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        Runtime.getRuntime().maxMemory() >> 20,
        loadAverage());
    HeapPeak heapPeak = new HeapPeak();
    PushTriggers triggers = new PushTriggers();
    BlockingQueue<List<SourceEvent>> queue = new ArrayBlockingQueue<>(8);
    Thread producer =
        new Thread(
            () -> {
              try {
                for (long n = 0; n < records; ) {
                  List<SourceEvent> batch = new ArrayList<>(BATCH);
                  for (int i = 0; i < BATCH && n < records; i++, n++) {
                    batch.add(triggers.event(n, signed));
                  }
                  queue.put(batch);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-events");
    producer.setDaemon(true);
    producer.start();
    // As the writer does: signature checks and payload digests on a pool the size of the cores.
    try (EventPreparation preparation =
            EventPreparation.parallel(Runtime.getRuntime().availableProcessors());
        TemporaryDirectory scratch = TemporaryDirectory.create("tollgate-bench-heap-");
        LedgerDataDir dataDir = LedgerDataDir.open(scratch.path().resolve("data"), LEDGER)) {
      if (dataDir.load().isPresent()) {
        throw new IllegalStateException("a fresh data directory holds records");
      }
      LedgerSigner signer = TestKeys.signer();
      String origin = CheckpointPolicy.defaultOrigin(LEDGER);
      LedgerVerifier chain =
          LedgerVerifier.trusting(
              List.of(signer.publicKey()),
              Optional.of(origin),
              dataDir.tree(),
              dataDir.recordedEvents());
      LedgerState state =
          new LedgerState(
              chain, dataDir.emptyOffsets(), dataDir.emptyIndex(), Optional.of(dataDir));
      AppendStep step =
          new AppendStep(
              signer,
              signer,
              List.of(),
              new CheckpointPolicy(origin, 1000, Duration.ofSeconds(1)),
              signed ? EventKeys.trust() : SourceTrust.none(),
              PayloadSealer.off(),
              preparation,
              Clock.systemUTC());
      long appended = 0;
      long peakAfterGc = 0;
      long firstTenthAfterGc = 0;
      long nextReport = records / 10;
      long started = System.nanoTime();
      long busy = 0;
      long cpu = 0;
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      Instant lastCheckpointAt = Instant.now();
      while (appended < records) {
        List<SourceEvent> events = queue.take();
        long t0 = System.nanoTime();
        long c0 = appendCpu(threads);
        StagedBatch batch = step.append(chain, events, lastCheckpointAt);
        state.apply(batch, batch.records().stream().map(StagedRecord::seq).toList());
        if (!state.persist()) {
          throw new IllegalStateException("the data directory could not be written");
        }
        busy += System.nanoTime() - t0;
        cpu += appendCpu(threads) - c0;
        if (batch.checkpointedAt().isPresent()) {
          lastCheckpointAt = batch.checkpointedAt().get();
        }
        appended += batch.appended();
        if (batch.appended() != events.size()) {
          throw new IllegalStateException(
              "events were taken for duplicates: " + batch.duplicates());
        }
        if (appended >= nextReport) {
          long afterGc = heapAfterGc();
          peakAfterGc = Math.max(peakAfterGc, afterGc);
          if (firstTenthAfterGc == 0) {
            firstTenthAfterGc = afterGc;
          }
          long peakSoFar = heapPeak.get();
          System.out.printf(
              Locale.ROOT,
              "bench: %,d records (seq %d), heap after GC %d MiB (%.1f%% of 768 MiB), peak in use"
                  + " so far %d MiB (%.1f%%), %.0f appends/s (%.0f per CPU-second) of the append"
                  + " step and store, data directory %d MiB%n",
              appended,
              chain.head().headSeq(),
              afterGc >> 20,
              100.0 * afterGc / POD_LIMIT,
              peakSoFar >> 20,
              100.0 * peakSoFar / POD_LIMIT,
              appended / (busy / 1e9),
              appended / (cpu / 1e9),
              size(dataDir) >> 20);
          nextReport += records / 10;
        }
      }
      check(state, records);
      double seconds = (System.nanoTime() - started) / 1e9;
      long peak = heapPeak.get();
      System.out.printf(
          Locale.ROOT,
          "bench: %,d records in %.0f s (%.0f records/s end to end with the event maker)%n",
          records,
          seconds,
          records / seconds);
      System.out.printf(
          Locale.ROOT,
          "summary: ledger writer heap: %,d 4 KB push triggers%s appended through the append step"
              + " and data directory; heap after GC %d MiB at a tenth, %d MiB at most (%.1f%% of"
              + " the 768 MiB pod limit); peak heap in use %d MiB (%.1f%%); %.0f appends/s, %.0f per"
              + " CPU-second (append step and store: writer thread and preparation pool); load average %s%n",
          records,
          signed ? " (signed, checked)" : "",
          firstTenthAfterGc >> 20,
          peakAfterGc >> 20,
          100.0 * peakAfterGc / POD_LIMIT,
          peak >> 20,
          100.0 * peak / POD_LIMIT,
          appended / (busy / 1e9),
          appended / (cpu / 1e9),
          loadAverage());
    }
  }

  /** Every event is found again by id and by link, the last one too: the index is whole. */
  private static void check(LedgerState state, long records) {
    for (long n : new long[] {0, records / 2, records - 1}) {
      String id = "github:bench-" + n;
      if (state.chain().records(id).size() != 1 || state.index().triggerId(id).size() != 1) {
        throw new IllegalStateException("event " + id + " is not found once in the ledger state");
      }
    }
  }

  /** CPU time of this thread (the chain step and store) and of the preparation pool's threads. */
  private static long appendCpu(ThreadMXBean threads) {
    long cpu = threads.getCurrentThreadCpuTime();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("ledger-prepare-")) {
        cpu += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return cpu;
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * The most heap in use at once: what the heap pools held together at the start of any collection
   * (the heap only fills between collections), or now. The pools' own peak usages are not that:
   * each pool peaks at another moment, so their sum can exceed the heap's limit.
   */
  private static final class HeapPeak implements NotificationListener {

    /** What the JDK's collectors emit after each collection (GarbageCollectionNotificationInfo). */
    private static final String GC_NOTIFICATION = "com.sun.management.gc.notification";

    private final Set<String> heapPools = new HashSet<>();
    private final AtomicLong peak = new AtomicLong();

    HeapPeak() {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heapPools.add(pool.getName());
        }
      }
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (collector instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(this, null, null);
        }
      }
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
      if (!notification.getType().equals(GC_NOTIFICATION)
          || !(notification.getUserData() instanceof CompositeData data)
          || !(data.get("gcInfo") instanceof CompositeData info)
          || !(info.get("memoryUsageBeforeGc") instanceof TabularData before)) {
        return;
      }
      long used = 0;
      for (Object row : before.values()) {
        if (row instanceof CompositeData entry
            && heapPools.contains(String.valueOf(entry.get("key")))
            && entry.get("value") instanceof CompositeData usage) {
          used += MemoryUsage.from(usage).getUsed();
        }
      }
      peak.accumulateAndGet(used, Math::max);
    }

    long get() {
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      return Math.max(peak.get(), now);
    }
  }

  private static long size(LedgerDataDir dataDir) throws java.io.IOException {
    try (var files = Files.walk(dataDir.directory())) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
