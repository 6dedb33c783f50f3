package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.ParsedRecord;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.schemas.ledger.LedgerRecord;
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
 * Verifies a ledger in batches: what each record proves alone (JSON, canonical form, shape, hashes,
 * payload digest; with {@link SignatureMode#EVERY_RECORD} its Ed25519 signature) is checked on
 * several threads, then the chain, tree and checkpoints in seq order on the calling thread, so the
 * first bad seq is named exactly as a sequential check would name it. Reports progress to an error
 * stream (never to the output a script reads) on long replays.
 *
 * <p>With {@link SignatureMode#CHECKPOINTS} a record's signature is left to the next checkpoint:
 * once a checkpoint's note verifies, the records before it are authenticated by it; the signatures
 * of the records no checkpoint covers are verified individually (on all threads) when more than
 * {@value #PENDING_LIMIT} await one, and at {@link #finish()}. That pass only accepts a ledger
 * without any anomaly: the first value that is not the next record, and the first signature that
 * does not verify, abandon it ({@link #abandoned()}; later values are read and ignored), and the
 * caller verifies the ledger again with {@link SignatureMode#EVERY_RECORD}, which names the failure
 * or the injected values exactly. Until {@link #finish()} returns without abandoning, the records
 * handed to {@link Listener#verified} in this mode are chained but not all authenticated.
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

  /** A record accepted by the checkpoint pass whose signature no checkpoint has covered yet. */
  private record Pending(long seq, ParsedRecord.SignedPart signed, LedgerPublicKey key) {}

  /** Records at most awaiting a checkpoint before their signatures are verified one by one. */
  static final int PENDING_LIMIT = 2 * BATCH;

  private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

  private final LedgerVerifier ledger;
  private final SignatureMode mode;
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
  private long signaturesVerified;
  private final List<Pending> pending = new ArrayList<>();
  private ChainException abandoned;

  /** A verifier that verifies every record's signature ({@link SignatureMode#EVERY_RECORD}). */
  public ParallelVerifier(
      LedgerVerifier ledger, int threads, PrintWriter progress, Listener listener) {
    this(ledger, threads, SignatureMode.EVERY_RECORD, progress, listener);
  }

  /**
   * @param threads how many threads check records (1: none besides the caller)
   * @param mode how records are authenticated
   * @param progress where progress lines go, or null for none
   */
  public ParallelVerifier(
      LedgerVerifier ledger,
      int threads,
      SignatureMode mode,
      PrintWriter progress,
      Listener listener) {
    this.ledger = ledger;
    this.mode = mode;
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
    if (abandoned != null) {
      return;
    }
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
    if (mode == SignatureMode.CHECKPOINTS) {
      flushAuthenticatingLater(values);
      return;
    }
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
        signaturesVerified++;
        listener.verified(entry, values.get(i));
      }
    } finally {
      futures.forEach(f -> f.cancel(false));
    }
    report(false);
  }

  /**
   * The checkpoint pass over one batch: parsed in chunks on the pool, chained in order here; the
   * first record that does not verify abandons the pass.
   */
  private void flushAuthenticatingLater(List<byte[]> values) throws IOException {
    if (abandoned != null) {
      return;
    }
    ParsedRecord[] parsed = new ParsedRecord[values.size()];
    int chunk = pool == null ? values.size() : Math.max(64, values.size() / (threads * 8));
    List<Future<?>> futures = new ArrayList<>();
    if (pool != null) {
      for (int from = 0; from < parsed.length; from += chunk) {
        int start = from;
        int end = Math.min(parsed.length, from + chunk);
        futures.add(
            pool.submit(
                () -> {
                  for (int i = start; i < end; i++) {
                    parsed[i] = ParsedRecord.parse(values.get(i));
                  }
                }));
      }
    }
    try {
      for (int i = 0; i < parsed.length; i++) {
        if (pool == null) {
          parsed[i] = ParsedRecord.parse(values.get(i));
        } else if (i % chunk == 0) {
          await(futures.get(i / chunk));
        }
        ParsedRecord record = parsed[i];
        // Looked up before the record is accepted: the key in force at its seq.
        LedgerPublicKey key = record.problem() == null ? ledger.keyInForce(record.keyId()) : null;
        ChainEntry entry;
        try {
          entry = ledger.verifyNextAuthenticatedLater(record);
        } catch (ChainException e) {
          abandoned = e;
          return;
        }
        verified++;
        if (entry.kind() == LedgerRecord.Kind.CHECKPOINT) {
          // Its note verified: every record before it is authenticated by its root.
          pending.clear();
        }
        if (entry.kind() == LedgerRecord.Kind.KEY_ROTATION) {
          signaturesVerified++;
        } else {
          pending.add(new Pending(entry.seq(), record.signedPart(), key));
        }
        listener.verified(entry, values.get(i));
      }
    } finally {
      futures.forEach(f -> f.cancel(false));
    }
    if (pending.size() > PENDING_LIMIT) {
      verifyPending();
    }
    report(false);
  }

  /**
   * Verifies the signature of every record awaiting a checkpoint, on the pool; the first (lowest
   * seq) that does not verify abandons the checkpoint pass.
   */
  private void verifyPending() {
    int size = pending.size();
    boolean[] valid = new boolean[size];
    if (pool == null) {
      verifyPending(valid, 0, size);
    } else {
      int chunk = Math.max(16, size / (threads * 4));
      List<Future<?>> futures = new ArrayList<>();
      for (int from = 0; from < size; from += chunk) {
        int start = from;
        int end = Math.min(size, from + chunk);
        futures.add(pool.submit(() -> verifyPending(valid, start, end)));
      }
      futures.forEach(ParallelVerifier::await);
    }
    signaturesVerified += size;
    for (int i = 0; i < size; i++) {
      if (!valid[i]) {
        Pending bad = pending.get(i);
        abandoned =
            new ChainException(
                bad.seq(),
                ChainException.Reason.BAD_SIGNATURE,
                "signature does not verify with key " + bad.key().keyId());
        break;
      }
    }
    pending.clear();
  }

  private void verifyPending(boolean[] valid, int start, int end) {
    for (int i = start; i < end; i++) {
      Pending record = pending.get(i);
      valid[i] = record.signed().verifiesWith(record.key());
    }
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
            "verified %d records in %.1f s (%.0f records/s, %d threads, signatures: %s)%s",
            verified,
            seconds,
            verified / seconds,
            threads,
            mode.wire(),
            injected == 0 ? "" : ", " + injected + " injected values skipped"));
    progress.flush();
  }

  /**
   * Verifies what is left (with {@link SignatureMode#CHECKPOINTS}, the signature of every record
   * after the newest checkpoint) and checks that the values read held the ledger's records, not
   * only records of another key ({@link LedgerVerifier#requireOwnRecords()}). In the checkpoint
   * mode, the ledger is verified only if {@link #abandoned()} is empty afterwards.
   */
  public void finish() throws ChainException, IOException {
    flush();
    if (mode == SignatureMode.CHECKPOINTS && abandoned == null && !pending.isEmpty()) {
      verifyPending();
    }
    if (abandoned == null) {
      ledger.requireOwnRecords();
    }
  }

  /**
   * Why the checkpoint pass stopped authenticating the ledger: the first record that was not the
   * next record, or whose signature (no checkpoint covering it) did not verify. Empty in {@link
   * SignatureMode#EVERY_RECORD}, which throws instead.
   */
  public Optional<ChainException> abandoned() {
    return Optional.ofNullable(abandoned);
  }

  /** The mode this verifier runs in. */
  public SignatureMode mode() {
    return mode;
  }

  /** Record signatures verified individually so far. */
  public long signaturesVerified() {
    return signaturesVerified;
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
