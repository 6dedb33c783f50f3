package dev.tollgate.gateway.report;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of the reporting group may be committed: on each partition, up to the oldest record
 * whose report has not ended yet (succeeded, refused, given up or dropped). A report still waiting
 * for GitHub when the replica stops is therefore read again by whichever replica takes the
 * partition, and reported then; reports are idempotent per trigger, so a record read twice is
 * reported once. A report's life is bounded (tollgate.gateway.checks.max-attempts with backoff), so
 * the uncommitted stretch behind it is too.
 *
 * <p>Thread-safe: the consumer's thread reads and commits, the reporting threads end reports.
 */
final class PendingOffsets {

  /** One partition: the offsets read whose reports have not ended, and the next offset to read. */
  private static final class Partition {
    final TreeSet<Long> open = new TreeSet<>();
    long next = -1;
    long committed = -1;

    /** The offset to commit: the oldest open one, else the next to read; -1 before any read. */
    long committable() {
      return open.isEmpty() ? next : open.first();
    }
  }

  private final Map<TopicPartition, Partition> partitions = new HashMap<>();

  /** The record at {@code offset} was read and its report started. */
  synchronized void started(TopicPartition partition, long offset) {
    Partition p = partitions.computeIfAbsent(partition, k -> new Partition());
    p.open.add(offset);
    p.next = Math.max(p.next, offset + 1);
  }

  /**
   * The report of the record at {@code offset} ended. Ignored for a partition no longer held (its
   * new holder reads the record again).
   */
  synchronized void ended(TopicPartition partition, long offset) {
    Partition p = partitions.get(partition);
    if (p != null) {
      p.open.remove(offset);
    }
  }

  /** How many reports have not ended, on every partition held. */
  synchronized int open() {
    return partitions.values().stream().mapToInt(p -> p.open.size()).sum();
  }

  /**
   * The offsets to commit now (the partitions whose committable offset moved since the last call),
   * each marked committed.
   */
  synchronized Map<TopicPartition, Long> toCommit() {
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach(
        (tp, p) -> {
          long offset = p.committable();
          if (offset >= 0 && offset != p.committed) {
            out.put(tp, offset);
            p.committed = offset;
          }
        });
    return out;
  }

  /** A commit of these partitions failed: their offsets are offered again by {@link #toCommit}. */
  synchronized void uncommitted(java.util.Collection<TopicPartition> failed) {
    failed.forEach(
        tp -> {
          Partition p = partitions.get(tp);
          if (p != null) {
            p.committed = -1;
          }
        });
  }

  /** Forgets every partition (the consumer was closed). */
  synchronized void clear() {
    partitions.clear();
  }

  /**
   * The partition is no longer held: returns its committable offset (-1: nothing to commit) and
   * forgets it.
   */
  synchronized long revoke(TopicPartition partition) {
    Partition p = partitions.remove(partition);
    return p == null || p.committable() == p.committed ? -1 : p.committable();
  }
}
