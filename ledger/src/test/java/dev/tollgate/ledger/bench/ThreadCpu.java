package dev.tollgate.ledger.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time of this process by part, from the JVM's per-thread CPU clocks: the writer's sequential
 * thread, its preparation pool, the Kafka clients' network threads, the in-JVM broker (every other
 * Kafka thread), and the rest (the JVM's JIT and GC threads, and the process total, come from the
 * operating system's view of the process). Threads that end between two snapshots are missed.
 */
final class ThreadCpu {

  private static final String[][] PARTS = {
    {"writer thread", "ledger-writer"},
    {"preparation pool", "ledger-prepare"},
    {"Kafka clients", "kafka-producer-network-thread", "kafka-coordinator-heartbeat"},
    {
      "broker",
      "data-plane-kafka",
      "kafka-",
      "broker-",
      "quorum-",
      "group-coordinator",
      "ExpirationReaper",
      "LogDirFailureHandler",
      "transaction-log",
      "AddPartitionsToTxn",
      "raft",
      "controller",
      "ReplicaFetcher",
      "kafka-scheduler",
      "executor-",
      "Log"
    },
  };

  private ThreadCpu() {}

  static Snapshot snapshot() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> parts = new LinkedHashMap<>();
    for (String[] part : PARTS) {
      parts.put(part[0], 0L);
    }
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu <= 0) {
        continue;
      }
      String part = partOf(info.getThreadName());
      parts.merge(part != null ? part : "other: " + info.getThreadName(), cpu, Long::sum);
    }
    long process =
        ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    return new Snapshot(process, System.nanoTime(), parts);
  }

  private static String partOf(String thread) {
    for (String[] part : PARTS) {
      for (int i = 1; i < part.length; i++) {
        if (thread.startsWith(part[i])) {
          return part[0];
        }
      }
    }
    return null;
  }

  /** CPU nanoseconds by part, the process's, and the wall clock. */
  record Snapshot(long process, long wall, Map<String, Long> parts) {

    Snapshot minus(Snapshot earlier) {
      Map<String, Long> delta = new LinkedHashMap<>();
      parts.forEach((k, v) -> delta.put(k, v - earlier.parts.getOrDefault(k, 0L)));
      return new Snapshot(process - earlier.process, wall - earlier.wall, delta);
    }

    /** One line: records/s by the wall clock, cores used, and microseconds of CPU per record. */
    String perRecord(long records) {
      if (records <= 0) {
        return "cpu: no records";
      }
      StringBuilder line = new StringBuilder();
      double seconds = wall / 1e9;
      line.append(
          String.format(
              Locale.ROOT,
              "cpu: %d records in %.2f s (%.0f/s), %.2f cores; per record %.1f us in all",
              records,
              seconds,
              records / seconds,
              process / (double) wall,
              process / 1e3 / records));
      long named = 0;
      for (Map.Entry<String, Long> part : parts.entrySet()) {
        named += part.getValue();
        line.append(
            String.format(
                Locale.ROOT, ", %s %.1f", part.getKey(), part.getValue() / 1e3 / records));
      }
      line.append(
          String.format(Locale.ROOT, ", JVM (JIT, GC) %.1f", (process - named) / 1e3 / records));
      return line.toString();
    }
  }
}
