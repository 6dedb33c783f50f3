package dev.tollgate.verifier.messaging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One trigger handled by one thread at a time within a replica, every other trigger free to run
 * beside it. Triggers are decided concurrently ({@code @Blocking(ordered = false)}); two records
 * for the same trigger id (a redelivery the gateway's journal did not catch, a replay after a
 * rebalance) would otherwise race to the registry and the API server. The second waits for the
 * first and then finds its PipelineRun (the run's name is derived from the trigger id: create
 * answers 409), so it decides the same run rather than a second one. Across replicas the same
 * deterministic name is what keeps one run per trigger.
 *
 * <p>An entry lives only while some thread holds or waits for it: the map never grows with the
 * number of triggers seen.
 */
final class TriggerLocks {
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users; // guarded by the map's per-key compute

    boolean waiting() {
      return lock.hasQueuedThreads();
    }
  }

  /**
   * Runs {@code work} while no other thread runs work for {@code triggerId}.
   *
   * @throws InterruptedException when interrupted while waiting for the other thread; {@code work}
   *     did not run
   */
  <T> T exclusively(String triggerId, Supplier<T> work) throws InterruptedException {
    Entry entry =
        entries.compute(
            triggerId,
            (id, held) -> {
              Entry e = held == null ? new Entry() : held;
              e.users++;
              return e;
            });
    try {
      entry.lock.lockInterruptibly();
      try {
        return work.get();
      } finally {
        entry.lock.unlock();
      }
    } finally {
      entries.computeIfPresent(triggerId, (id, held) -> --held.users == 0 ? null : held);
    }
  }

  /** Whether a thread waits for {@code triggerId} behind another: for tests. */
  boolean waiting(String triggerId) {
    Entry e = entries.get(triggerId);
    return e != null && e.waiting();
  }

  /** Trigger ids held or waited for now. */
  int size() {
    return entries.size();
  }
}
