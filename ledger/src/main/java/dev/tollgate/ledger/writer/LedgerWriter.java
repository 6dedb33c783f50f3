package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.append.AppendStep;
import dev.tollgate.ledger.append.EventPreparation;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.port.KafkaLedgerPort;
import dev.tollgate.ledger.port.LedgerPort;
import dev.tollgate.ledger.port.LedgerSession;
import dev.tollgate.ledger.recovery.LedgerRecovery;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.trust.SourceTrust;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.jboss.logging.Logger;

/**
 * Appends one signed, chained record per source event to the ledger topic, on its own thread. Each
 * poll of the source topics becomes one Kafka transaction that holds the new ledger records and the
 * consumed offsets, so a record and the offset that says "done" are written together or not at all.
 *
 * <p>It sequences three pieces: {@link LedgerRecovery} brings the state up to the topic once a new
 * port session fenced the previous writer, refusing a chain that does not verify; {@link
 * AppendStep} turns events into a {@link StagedBatch} (refusing to sign a fork) without touching
 * the broker; the {@link LedgerPort} session commits it. {@link WriterLoop} runs those steps on the
 * writer thread; this class starts and stops it and serves what it reports.
 */
public final class LedgerWriter implements AutoCloseable {

  /** CloudEvents source of ledger records. */
  public static final URI SOURCE = KafkaLedgerPort.SOURCE;

  private static final Logger LOG = Logger.getLogger(LedgerWriter.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final LedgerRecovery recovery;
  private final Thread thread;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final WriterProgress progress;
  private final WriterLoop loop;
  private final EventPreparation preparation;

  /** A writer signing records and checkpoints with the ledger key. */
  public LedgerWriter(WriterSettings settings, LedgerSigner signer, Clock clock) {
    this(settings, settings.kafkaPort(), signer, List.of(), clock);
  }

  /**
   * A writer signing with {@code signer} that, when the chain's key in force is one of {@code
   * previousSigners}, first appends a key-rotation record signed by that old key announcing the new
   * one.
   */
  public LedgerWriter(
      WriterSettings settings,
      LedgerSigner signer,
      List<LedgerSigner> previousSigners,
      Clock clock) {
    this(settings, settings.kafkaPort(), signer, previousSigners, clock);
  }

  /**
   * A writer whose transactions go through {@code port} instead of the Kafka cluster the settings
   * name; the settings' connection values are then unused.
   */
  public LedgerWriter(
      WriterSettings settings,
      LedgerPort port,
      LedgerSigner signer,
      List<LedgerSigner> previousSigners,
      Clock clock) {
    this(settings, port, signer, previousSigners, SourceTrust.none(), clock);
  }

  /**
   * A writer signing with {@code signer} (rotating from {@code previousSigners} as above) that
   * checks each source event's signature against {@code trust} and states the result in its record.
   */
  public LedgerWriter(
      WriterSettings settings,
      LedgerSigner signer,
      List<LedgerSigner> previousSigners,
      SourceTrust trust,
      Clock clock) {
    this(settings, settings.kafkaPort(), signer, previousSigners, trust, clock);
  }

  /** As above, with transactions going through {@code port}. */
  public LedgerWriter(
      WriterSettings settings,
      LedgerPort port,
      LedgerSigner signer,
      List<LedgerSigner> previousSigners,
      SourceTrust trust,
      Clock clock) {
    // Signature checks and payload digests on a pool the size of the cores, ahead of the chain
    // step on the writer thread.
    this.preparation =
        EventPreparation.parallel(Math.max(1, Runtime.getRuntime().availableProcessors()));
    AppendStep step =
        new AppendStep(
            signer,
            signer,
            previousSigners,
            settings.checkpoints(),
            trust,
            settings.sealer(),
            preparation,
            clock);
    this.recovery =
        new LedgerRecovery(
            settings.dataDir(),
            settings.ledgerTopic(),
            settings.checkpoints().origin(),
            step.trustedKeys());
    this.progress = new WriterProgress(clock);
    this.loop = new WriterLoop(settings, port, step, recovery, clock, progress, stopRequested);
    this.thread = new Thread(this::run, "ledger-writer");
    this.thread.setDaemon(true);
  }

  /** Starts the writer thread. */
  public void start() {
    thread.start();
  }

  /** What the writer is doing. */
  public WriterState state() {
    return progress.state();
  }

  /** The committed chain head, once the chain has been recovered. */
  public Optional<ChainHead> head() {
    return committed().map(CommittedLedger::head);
  }

  /**
   * The committed ledger (head, latest checkpoint, tree, offsets), once the chain has been
   * recovered: what the HTTP API serves.
   */
  public Optional<CommittedLedger> committed() {
    return progress.committed();
  }

  /** Records appended and committed since this writer started. */
  public long appendedCount() {
    return progress.appended();
  }

  /** Events skipped because the ledger already held a record of them. */
  public long duplicatesSkippedCount() {
    return progress.duplicatesSkipped();
  }

  /**
   * Events recorded although the ledger held their id with other content: each a record marked
   * {@code conflictsWith}, which an operator should look at.
   */
  public long conflictingCount() {
    return progress.conflicting();
  }

  /**
   * Ledger records read from the topic by the last recovery: the whole topic without a data
   * directory, the records since the kept head (and the head itself) with one.
   */
  public long recoveryReadCount() {
    return recovery.reads();
  }

  /**
   * Values on the ledger topic that are not the ledger's records (garbage, not signed by the ledger
   * key, or copies), found and skipped by this writer's recoveries, each counted once.
   */
  public long injectedCount() {
    return recovery.injected();
  }

  /**
   * Source events appended and committed since this writer started whose signature did not verify
   * under a key trusted for their topic: recorded as evidence, flagged.
   */
  public long unauthenticatedCount() {
    return progress.unauthenticated();
  }

  /** Times this writer found itself fenced by another writer with its transactional id. */
  public long fencedCount() {
    return progress.fencings();
  }

  /**
   * Source events not yet appended, summed over the source partitions this writer reads, as of its
   * last poll (0 before the first).
   */
  public long lag() {
    return progress.lag();
  }

  /**
   * Seconds until source retention may delete the oldest event not recorded yet: the shortest
   * {@code retention.ms} of the source topics less the age of the oldest event the last poll
   * returned (the whole retention when it returned none); NaN while the retention is unknown.
   */
  public double retentionHeadroomSeconds() {
    return progress.retentionHeadroomSeconds();
  }

  /** Stops the writer and waits for its thread; an open transaction is aborted, not committed. */
  @Override
  public void close() {
    stopRequested.countDown();
    progress.session().ifPresent(LedgerSession::wakeup);
    if (thread.isAlive()) {
      try {
        thread.join(CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @SuppressWarnings("checkstyle:IllegalCatch") // the writer thread's top-level guard (see below)
  private void run() {
    try {
      while (!loop.stopping()) {
        if (loop.session() == WriterLoop.Outcome.STOP) {
          return;
        }
        loop.pause();
      }
    } catch (RuntimeException e) {
      // The writer thread's top-level guard: a bug must stop the writer visibly (FAILED, not ready)
      // rather than kill the thread silently and leave the service looking alive.
      progress.state(WriterState.FAILED);
      LOG.error("ledger writer stopped by an unexpected error; it writes nothing more", e);
    } finally {
      if (!progress.state().isFinal()) {
        progress.state(WriterState.STOPPED);
      }
      recovery.close();
      preparation.close();
    }
  }
}
