package dev.tollgate.ledger.append;

import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.trust.SourceTrust;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What appending an event takes that needs no chain head: checking the source event's signature,
 * reading its payload, the payload's canonical form and digest. {@link #parallel} does it on a
 * bounded pool ahead of the sequential chain step (link, sign, hash), which takes the results in
 * the events' order whatever finishes first; {@link #inline()} does it on the caller's thread when
 * the chain step asks. Either way each event's result is the same pure function of the event, so
 * the records are identical. Closing stops the pool's threads; a closed preparation prepares
 * inline.
 */
public final class EventPreparation implements AutoCloseable {

  private final ExecutorService pool;

  private EventPreparation(ExecutorService pool) {
    this.pool = pool;
  }

  /** Prepares each event on the thread that asks for it. */
  public static EventPreparation inline() {
    return new EventPreparation(null);
  }

  /**
   * Prepares events on {@code threads} daemon threads ({@code ledger-prepare-N}), ahead of the
   * chain step; at most one batch's events are queued at a time.
   */
  public static EventPreparation parallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("a pool has at least one thread");
    }
    AtomicInteger count = new AtomicInteger();
    return new EventPreparation(
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "ledger-prepare-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            }));
  }

  /** An event read and authenticated, ready for the chain step. */
  public record Ready(RecordBuilder.Prepared prepared, LedgerRecord.Authentication authentication) {

    static Ready of(SourceEvent event, SourceTrust trust) {
      // The event's signature is checked on what was consumed, then its payload is read once.
      LedgerRecord.Authentication authentication = trust.authenticate(event);
      return new Ready(RecordBuilder.prepare(event), authentication);
    }
  }

  /** The preparations of one batch's events, started; {@link Batch#get} takes them in order. */
  public Batch start(List<SourceEvent> events, SourceTrust trust) {
    if (pool == null || pool.isShutdown() || events.size() < 2) {
      return new Batch(events, trust, null);
    }
    List<Future<Ready>> futures = new ArrayList<>(events.size());
    try {
      for (SourceEvent event : events) {
        futures.add(pool.submit(() -> Ready.of(event, trust)));
      }
    } catch (RejectedExecutionException e) {
      // Closed while the writer was stopping: the rest is prepared on the writer's thread.
      futures.forEach(f -> f.cancel(false));
      return new Batch(events, trust, null);
    }
    return new Batch(events, trust, futures);
  }

  @Override
  public void close() {
    if (pool != null) {
      // Queued preparations never run now: cancelled, so a batch waiting on one prepares it itself.
      for (Runnable queued : pool.shutdownNow()) {
        if (queued instanceof Future<?> future) {
          future.cancel(false);
        }
      }
    }
  }

  /** One batch's preparations, in the events' order. */
  public static final class Batch {
    private final List<SourceEvent> events;
    private final SourceTrust trust;
    private final List<Future<Ready>> futures;

    private Batch(List<SourceEvent> events, SourceTrust trust, List<Future<Ready>> futures) {
      this.events = events;
      this.trust = trust;
      this.futures = futures;
    }

    /** The preparation of event {@code i}, waiting for it when it is not done yet. */
    public Ready get(int i) {
      if (futures == null) {
        return Ready.of(events.get(i), trust);
      }
      try {
        return futures.get(i).get();
      } catch (InterruptedException e) {
        // Stopping: the answer is the same computed here, so the batch is never left half done.
        Thread.currentThread().interrupt();
        return Ready.of(events.get(i), trust);
      } catch (ExecutionException e) {
        // Preparing never fails for a bad event (what is wrong is recorded): this is a bug.
        throw new IllegalStateException(
            "preparing event " + events.get(i).eventId() + " failed", e.getCause());
      } catch (CancellationException e) {
        // The pool was shut down under a running batch: prepare here instead.
        return Ready.of(events.get(i), trust);
      }
    }
  }
}
