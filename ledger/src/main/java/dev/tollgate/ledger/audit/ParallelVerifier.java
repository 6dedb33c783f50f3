package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Verifies a ledger in batches: what each record proves alone (JSON, canonical form, Ed25519
 * signature) is checked on several threads, then the chain, tree and checkpoints in seq order on
 * the calling thread, so the first bad seq is named exactly as a sequential check would name it.
 * Reports progress to an error stream (never to the output a script reads) on long replays.
 */
public final class ParallelVerifier implements AutoCloseable {

  /** Receives each verified record, in seq order, and each injected value, in topic order. */
  @FunctionalInterface
  public interface Listener {
    void verified(ChainEntry entry, byte[] value) throws IOException;

    /** A value at {@code offset} that is not the ledger's, skipped; by default only counted. */
    default void injected(long offset, Injected injected) throws IOException {}
  }

  private static final int BATCH = 4096;
  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

  private final LedgerVerifier ledger;
  private final int threads;
  private final ExecutorService pool;
  private final PrintWriter progress;
  private final Listener listener;
  private final List<byte[]> batch = new ArrayList<>(BATCH);
  private final List<Long> batchOffsets = new ArrayList<>(BATCH);
  private final long started = System.nanoTime();
  private long lastProgress = started;
  private long verified;
  private long injected;

  /**
   * @param threads how many threads check signatures (1: none besides the caller)
   * @param progress where progress lines go, or null for none
   */
  public ParallelVerifier(
      LedgerVerifier ledger, int threads, PrintWriter progress, Listener listener) {
    this.ledger = ledger;
    this.threads = Math.max(1, threads);
    this.pool = this.threads > 1 ? Executors.newFixedThreadPool(this.threads, daemon()) : null;
    this.progress = progress;
    this.listener = listener;
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "auditor-verify");
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Takes the next stored value, read at {@code offset} of the topic (or line of an export);
   * verifies a full batch.
   */
  public void accept(long offset, byte[] value) throws ChainException, IOException {
    batch.add(value);
    batchOffsets.add(offset);
    if (batch.size() == BATCH) {
      flush();
    }
  }

  /**
   * Verifies every record taken so far: the batch is prechecked in chunks on the pool while this
   * thread verifies, in order, each chunk as soon as its precheck is done.
   */
  public void flush() throws ChainException, IOException {
    if (batch.isEmpty()) {
      return;
    }
    // Pool threads read this batch's own list; the next batch starts a new one.
    List<byte[]> values = new ArrayList<>(batch);
    List<Long> offsets = new ArrayList<>(batchOffsets);
    batch.clear();
    batchOffsets.clear();
    ChainVerifier.Precheck[] prechecks = new ChainVerifier.Precheck[values.size()];
    int chunk = pool == null ? values.size() : Math.max(64, values.size() / (threads * 8));
    List<Future<?>> futures = new ArrayList<>();
    if (pool != null) {
      for (int from = 0; from < prechecks.length; from += chunk) {
        int start = from;
        int end = Math.min(prechecks.length, from + chunk);
        futures.add(pool.submit(() -> precheck(values, prechecks, start, end)));
      }
    }
    try {
      for (int i = 0; i < values.size(); i++) {
        if (pool == null) {
          prechecks[i] = ChainVerifier.precheck(values.get(i), ledger::keyInForce);
        } else if (i % chunk == 0) {
          await(futures.get(i / chunk));
        }
        // A value someone else produced onto the topic is reported and skipped: the chain links
        // by seq and prev, so it is verified across it.
        Optional<Injected> foreign = ledger.injected(values.get(i), prechecks[i]);
        if (foreign.isPresent()) {
          injected++;
          listener.injected(offsets.get(i), foreign.get());
          continue;
        }
        ChainEntry entry = ledger.verifyNext(values.get(i), prechecks[i]);
        verified++;
        listener.verified(entry, values.get(i));
      }
    } finally {
      futures.forEach(f -> f.cancel(false));
    }
    report(false);
  }

  private void precheck(
      List<byte[]> values, ChainVerifier.Precheck[] prechecks, int start, int end) {
    for (int i = start; i < end; i++) {
      prechecks[i] = ChainVerifier.precheck(values.get(i), ledger::keyInForce);
    }
  }

  private static void await(Future<?> future) {
    try {
      future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a precheck failed unexpectedly", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while verifying", e);
    }
  }

  /** Prints a progress line at most every two seconds, or always when {@code last}. */
  void report(boolean last) {
    long now = System.nanoTime();
    if (progress == null || (!last && now - lastProgress < PROGRESS_EVERY_NANOS)) {
      return;
    }
    lastProgress = now;
    double seconds = Math.max(1e-9, (now - started) / 1e9);
    progress.println(
        String.format(
            Locale.ROOT,
            "verified %d records in %.1f s (%.0f records/s, %d threads)%s",
            verified,
            seconds,
            verified / seconds,
            threads,
            injected == 0 ? "" : ", " + injected + " injected values skipped"));
    progress.flush();
  }

  /**
   * Verifies what is left and checks that the values read held the ledger's records, not only
   * records of another key ({@link LedgerVerifier#requireOwnRecords()}).
   */
  public void finish() throws ChainException, IOException {
    flush();
    ledger.requireOwnRecords();
  }

  /** Values skipped as injected so far. */
  public long injected() {
    return injected;
  }

  /** Records verified so far. */
  public long verified() {
    return verified;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
