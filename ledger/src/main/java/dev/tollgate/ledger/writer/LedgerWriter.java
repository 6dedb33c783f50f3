package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.append.AppendStep;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.port.KafkaLedgerPort;
import dev.tollgate.ledger.port.LedgerPort;
import dev.tollgate.ledger.port.LedgerSession;
import dev.tollgate.ledger.port.PortException;
import dev.tollgate.ledger.recovery.LedgerRecovery;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.store.LedgerState;
import dev.tollgate.ledger.trust.SourceTrust;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Appends one signed, chained record per source event to the ledger topic, on its own thread. Each
 * poll of the source topics becomes one Kafka transaction that holds the new ledger records and the
 * consumed offsets, so a record and the offset that says "done" are written together or not at all.
 *
 * <p>It sequences three pieces: {@link LedgerRecovery} brings the state up to the topic once a new
 * port session fenced the previous writer, refusing a chain that does not verify; {@link
 * AppendStep} turns events into a {@link StagedBatch} (refusing to sign a fork) without touching
 * the broker; the {@link LedgerPort} session commits it. What a transaction's outcome does to the
 * state happens in {@link #commit} alone: applied on commit, discarded otherwise.
 */
public final class LedgerWriter implements AutoCloseable {

  /** CloudEvents source of ledger records. */
  public static final URI SOURCE = KafkaLedgerPort.SOURCE;

  private static final Logger LOG = Logger.getLogger(LedgerWriter.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private enum Outcome {
    CONTINUE,
    RETRY,
    STOP
  }

  private final WriterSettings settings;
  private final LedgerPort port;
  private final AppendStep step;
  private final LedgerRecovery recovery;
  private final Clock clock;
  private final Thread thread;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong duplicatesSkipped = new AtomicLong();
  private final AtomicLong conflicting = new AtomicLong();
  private final AtomicLong unauthenticated = new AtomicLong();
  private final AtomicLong fencings = new AtomicLong();
  private volatile long lag;
  private volatile Instant oldestUnrecorded;
  private volatile Duration retention;
  private volatile WriterState state = WriterState.STARTING;
  private volatile CommittedLedger committed;
  private volatile LedgerSession session;
  private Instant lastCheckpointAt;

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
    this.settings = settings;
    this.port = port;
    this.step =
        new AppendStep(
            signer,
            signer,
            previousSigners,
            settings.checkpoints(),
            trust,
            settings.sealer(),
            clock);
    this.recovery =
        new LedgerRecovery(
            settings.dataDir(),
            settings.ledgerTopic(),
            settings.checkpoints().origin(),
            step.trustedKeys());
    this.clock = clock;
    this.thread = new Thread(this::run, "ledger-writer");
    this.thread.setDaemon(true);
  }

  /** Starts the writer thread. */
  public void start() {
    thread.start();
  }

  /** What the writer is doing. */
  public WriterState state() {
    return state;
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
    return Optional.ofNullable(committed);
  }

  /** Records appended and committed since this writer started. */
  public long appendedCount() {
    return appended.get();
  }

  /** Events skipped because the ledger already held a record of them. */
  public long duplicatesSkippedCount() {
    return duplicatesSkipped.get();
  }

  /**
   * Events recorded although the ledger held their id with other content: each a record marked
   * {@code conflictsWith}, which an operator should look at.
   */
  public long conflictingCount() {
    return conflicting.get();
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
    return unauthenticated.get();
  }

  /** Times this writer found itself fenced by another writer with its transactional id. */
  public long fencedCount() {
    return fencings.get();
  }

  /**
   * Source events not yet appended, summed over the source partitions this writer reads, as of its
   * last poll (0 before the first).
   */
  public long lag() {
    return lag;
  }

  /**
   * Seconds until source retention may delete the oldest event not recorded yet: the shortest
   * {@code retention.ms} of the source topics less the age of the oldest event the last poll
   * returned (the whole retention when it returned none); NaN while the retention is unknown.
   */
  public double retentionHeadroomSeconds() {
    Duration kept = retention;
    if (kept == null) {
      return Double.NaN;
    }
    Instant oldest = oldestUnrecorded;
    Duration age = oldest == null ? Duration.ZERO : Duration.between(oldest, clock.instant());
    return kept.minus(age).toMillis() / 1000.0;
  }

  /** Stops the writer and waits for its thread; an open transaction is aborted, not committed. */
  @Override
  public void close() {
    stopRequested.countDown();
    LedgerSession current = session;
    if (current != null) {
      current.wakeup();
    }
    if (thread.isAlive()) {
      try {
        thread.join(CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean stopping() {
    return stopRequested.getCount() == 0;
  }

  @SuppressWarnings("checkstyle:IllegalCatch") // the writer thread's top-level guard (see below)
  private void run() {
    try {
      while (!stopping()) {
        if (session() == Outcome.STOP) {
          return;
        }
        pause();
      }
    } catch (RuntimeException e) {
      // The writer thread's top-level guard: a bug must stop the writer visibly (FAILED, not ready)
      // rather than kill the thread silently and leave the service looking alive.
      state = WriterState.FAILED;
      LOG.error("ledger writer stopped by an unexpected error; it writes nothing more", e);
    } finally {
      if (!state.isFinal()) {
        state = WriterState.STOPPED;
      }
      recovery.close();
    }
  }

  /** One session of the port: fence, recover, then append until stopped or broken. */
  private Outcome session() {
    state = WriterState.RECOVERING;
    LedgerSession opened;
    try {
      opened = port.open();
    } catch (PortException e) {
      return switch (e.reason()) {
        case FENCED -> fenced();
        case POSITION_LOST -> positionLost(e);
        case WOKEN_UP -> Outcome.STOP;
        case FAILED -> {
          LOG.warnf("%s; retrying in %s", e.getMessage(), settings.retryBackoff());
          yield Outcome.RETRY;
        }
      };
    }
    try (LedgerSession current = opened) {
      session = current;
      if (stopping()) {
        return Outcome.STOP;
      }
      LedgerRecovery.Result result = recovery.recover(current);
      if (result instanceof LedgerRecovery.Invalid) {
        state = WriterState.CHAIN_INVALID;
        return Outcome.STOP;
      }
      if (result instanceof LedgerRecovery.Unavailable unavailable) {
        if (stopping()) {
          return Outcome.STOP;
        }
        LOG.warnf("%s; retrying in %s", unavailable.reason(), settings.retryBackoff());
        return Outcome.RETRY;
      }
      LedgerState ledger = ((LedgerRecovery.Recovered) result).state();
      Outcome recovered = recovered(ledger);
      if (recovered != Outcome.CONTINUE) {
        return recovered;
      }
      Outcome rotated = rotateKeyIfNeeded(current, ledger);
      if (rotated != Outcome.CONTINUE) {
        return rotated;
      }
      return append(current, ledger);
    } finally {
      session = null;
    }
  }

  private Outcome recovered(LedgerState ledger) {
    if (!ledger.persist()) {
      return Outcome.RETRY;
    }
    publish(ledger);
    lastCheckpointAt = clock.instant();
    LOG.infof(
        "ledger %s recovered: %d records, head %s, %d checkpoints verified, latest %s",
        settings.ledgerTopic(),
        ledger.head().size(),
        ledger.head().isEmpty() ? "none" : ledger.head().headHash(),
        ledger.chain().checkpointCount(),
        ledger.committedCheckpoint().map(Checkpoint::toString).orElse("none"));
    return Outcome.CONTINUE;
  }

  /**
   * When the key in force on the chain is not this writer's signing key but one of its previous
   * keys, appends (in a transaction of its own) a key-rotation record signed by that old key that
   * announces the signing key; from then on the chain is signed by the new key only.
   */
  private Outcome rotateKeyIfNeeded(LedgerSession current, LedgerState ledger) {
    if (step.signingKeyInForce(ledger.chain())) {
      return Outcome.CONTINUE;
    }
    Optional<RecordSigner> old = step.announcer(ledger.chain());
    if (old.isEmpty()) {
      state = WriterState.KEY_NOT_IN_FORCE;
      LOG.errorf(
          "ledger %s is signed by key(s) %s; the signing key %s is not among them and no previous"
              + " key can announce it; the writer writes nothing",
          settings.ledgerTopic(),
          ledger.chain().keysInForce().stream().map(LedgerPublicKey::keyId).sorted().toList(),
          step.signer().publicKey().keyId());
      return Outcome.STOP;
    }
    StagedBatch rotation = step.rotateKey(ledger.chain(), old.get());
    Outcome outcome = commit(current, ledger, rotation, "appending the key rotation");
    if (outcome != Outcome.CONTINUE || ledger.head().size() == rotation.firstSeq()) {
      // Aborted: tried again in a new session, from the topic as it then is.
      return outcome == Outcome.STOP ? Outcome.STOP : Outcome.RETRY;
    }
    LOG.infof(
        "ledger key rotated at seq %d: key %s announced by key %s",
        rotation.firstSeq(), step.signer().publicKey().keyId(), old.get().publicKey().keyId());
    return Outcome.CONTINUE;
  }

  private Outcome append(LedgerSession current, LedgerState ledger) {
    try {
      current.subscribe(ledger.chain().sources().consumedPartitions());
      retention = current.sourceRetention().orElse(null);
      state = WriterState.WRITING;
      while (!stopping()) {
        List<SourceEvent> events = current.poll(settings.pollTimeout());
        lag = current.lag();
        // Polled events stay unrecorded until their transaction commits; an empty poll with no
        // lag means nothing waits.
        current.oldestPolled().ifPresent(t -> oldestUnrecorded = t);
        if (events.isEmpty() && lag == 0) {
          oldestUnrecorded = null;
        }
        if (!events.isEmpty() || step.checkpointDue(ledger.chain(), lastCheckpointAt)) {
          Outcome outcome = transaction(current, ledger, events);
          if (outcome != Outcome.CONTINUE) {
            return outcome;
          }
        }
      }
      return Outcome.STOP;
    } catch (PortException e) {
      return switch (e.reason()) {
        case FENCED -> fenced();
        case POSITION_LOST -> positionLost(e);
        case WOKEN_UP -> stopping() ? Outcome.STOP : Outcome.RETRY;
        case FAILED -> {
          LOG.warnf("%s; starting over", e.getMessage());
          yield Outcome.RETRY;
        }
      };
    }
  }

  private Outcome transaction(LedgerSession current, LedgerState ledger, List<SourceEvent> events) {
    StagedBatch batch;
    try {
      batch = step.append(ledger.chain(), events, lastCheckpointAt);
    } catch (CheckpointException e) {
      ledger.discard();
      state = WriterState.CHECKPOINT_REFUSED;
      LOG.errorf(
          "refusing to sign a checkpoint of ledger %s: %s; the writer stops and writes nothing more",
          settings.ledgerTopic(), e.describe());
      return Outcome.STOP;
    }
    batch.duplicates().forEach(id -> LOG.debugf("event %s is already in the ledger; skipped", id));
    return commit(
        current, ledger, batch, "ledger transaction of " + batch.sourceEvents() + " events");
  }

  /**
   * The one place a staged batch meets the broker. Committed, it is applied to the state (offsets,
   * index, data directory, chain) and published; otherwise it is discarded, the transaction aborted
   * and its source events polled again, so nothing is lost and nothing is recorded twice.
   */
  private Outcome commit(
      LedgerSession current, LedgerState ledger, StagedBatch batch, String what) {
    List<Long> offsets;
    try {
      offsets = current.commit(batch);
    } catch (PortException e) {
      ledger.discard();
      return switch (e.reason()) {
        case FENCED -> fenced();
        case POSITION_LOST -> positionLost(e);
        case WOKEN_UP -> Outcome.STOP;
        case FAILED -> {
          LOG.warnf("%s failed (%s); trying again", what, e.getMessage());
          if (!abort(current)) {
            yield state == WriterState.FENCED ? Outcome.STOP : Outcome.RETRY;
          }
          current.rewind(batch.consumed());
          pause();
          yield Outcome.CONTINUE;
        }
      };
    }
    ledger.apply(batch, offsets);
    if (lag == 0) {
      oldestUnrecorded = null;
    }
    appended.addAndGet(batch.appended());
    duplicatesSkipped.addAndGet(batch.duplicates().size());
    conflicting.addAndGet(batch.conflicts().size());
    batch
        .conflicts()
        .forEach(
            id ->
                LOG.warnf(
                    "event %s was recorded before with other content; recorded again and marked"
                        + " as a conflict",
                    id));
    unauthenticated.addAndGet(batch.unauthenticated());
    batch.checkpointedAt().ifPresent(at -> lastCheckpointAt = at);
    if (!ledger.persist()) {
      // The tree lived in the dropped directory: recover again (from the topic) before going on.
      return Outcome.RETRY;
    }
    publish(ledger);
    return Outcome.CONTINUE;
  }

  /** Aborts the open transaction; false when the session cannot go on and must be replaced. */
  private boolean abort(LedgerSession current) {
    try {
      current.abort();
      return true;
    } catch (PortException e) {
      if (e.reason() == PortException.Reason.FENCED) {
        fenced();
      } else {
        LOG.warnf("%s; starting over", e.getMessage());
      }
      return false;
    }
  }

  private void publish(LedgerState ledger) {
    committed =
        new CommittedLedger(
            ledger.head(),
            ledger.committedCheckpoint(),
            ledger.tree(),
            ledger.offsets(),
            ledger.index());
  }

  private Outcome positionLost(PortException e) {
    state = WriterState.SOURCE_POSITION_LOST;
    LOG.errorf(
        "%s; the ledger writer stops rather than skip events silently. Set the consumer group %s"
            + " to the positions the ledger's last checkpoint states (auditor verify prints them),"
            + " then restart it",
        e.getMessage(), settings.groupId());
    return Outcome.STOP;
  }

  private Outcome fenced() {
    state = WriterState.FENCED;
    fencings.incrementAndGet();
    LOG.errorf(
        "another ledger writer with transactional id %s took over; this one writes nothing more",
        settings.transactionalId());
    return Outcome.STOP;
  }

  private void pause() {
    try {
      stopRequested.await(settings.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopRequested.countDown();
    }
  }
}
