package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.append.AppendStep;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.port.LedgerPort;
import dev.tollgate.ledger.port.LedgerSession;
import dev.tollgate.ledger.port.PortException;
import dev.tollgate.ledger.recovery.LedgerRecovery;
import dev.tollgate.ledger.store.LedgerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The writer thread's work, one port session at a time: fence, recover, rotate the key when due,
 * then one transaction per poll until stopped or broken. What a transaction's outcome does to the
 * state happens in {@link #commit} alone: applied on commit, discarded otherwise. It reports what
 * it does through {@link WriterProgress}, which {@link LedgerWriter} serves. Not thread-safe: the
 * writer thread alone runs it.
 */
final class WriterLoop {

  private static final Logger LOG = Logger.getLogger(LedgerWriter.class);

  /** What the writer thread does after a session or a step of one. */
  enum Outcome {
    CONTINUE,
    RETRY,
    STOP
  }

  /** Polls shorter than a millisecond would return at once: the linger ends there. */
  private static final long MILLISECOND = 1_000_000L;

  private final WriterSettings settings;
  private final LedgerPort port;
  private final AppendStep step;
  private final LedgerRecovery recovery;
  private final Clock clock;
  private final WriterProgress progress;
  private final CountDownLatch stopRequested;
  private Instant lastCheckpointAt;

  WriterLoop(
      WriterSettings settings,
      LedgerPort port,
      AppendStep step,
      LedgerRecovery recovery,
      Clock clock,
      WriterProgress progress,
      CountDownLatch stopRequested) {
    this.settings = settings;
    this.port = port;
    this.step = step;
    this.recovery = recovery;
    this.clock = clock;
    this.progress = progress;
    this.stopRequested = stopRequested;
  }

  boolean stopping() {
    return stopRequested.getCount() == 0;
  }

  /** One session of the port: fence, recover, then append until stopped or broken. */
  Outcome session() {
    progress.state(WriterState.RECOVERING);
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
      progress.session(current);
      if (stopping()) {
        return Outcome.STOP;
      }
      LedgerRecovery.Result result = recovery.recover(current);
      if (result instanceof LedgerRecovery.Invalid) {
        progress.state(WriterState.CHAIN_INVALID);
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
      progress.session(null);
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
      progress.state(WriterState.KEY_NOT_IN_FORCE);
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
      progress.retention(current.sourceRetention().orElse(null));
      progress.state(WriterState.WRITING);
      while (!stopping()) {
        List<SourceEvent> events = gather(current);
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

  /**
   * The source events of the next transaction: what one poll returns, and when that is fewer than
   * {@link WriterSettings.Batching#maxRecords()}, what further polls return until the batch is full
   * (the last poll may take it past the bound by up to one poll's records) or {@link
   * WriterSettings.Batching#linger()} has passed since the first poll returned events. Waiting
   * blocks in the consumer's poll, never spins; an empty first poll returns at once, so an idle
   * writer still appends due checkpoints.
   */
  private List<SourceEvent> gather(LedgerSession current) throws PortException {
    List<SourceEvent> events = current.poll(settings.pollTimeout());
    Optional<Instant> oldest = current.oldestPolled();
    WriterSettings.Batching batching = settings.batching();
    if (!events.isEmpty() && events.size() < batching.maxRecords()) {
      long deadline = System.nanoTime() + batching.linger().toNanos();
      List<SourceEvent> gathered = new ArrayList<>(events);
      for (long left = deadline - System.nanoTime();
          left >= MILLISECOND && gathered.size() < batching.maxRecords() && !stopping();
          left = deadline - System.nanoTime()) {
        List<SourceEvent> more = current.poll(Duration.ofMillis(left / MILLISECOND));
        gathered.addAll(more);
        oldest = earliest(oldest, current.oldestPolled());
      }
      events = gathered;
    }
    progress.polled(current.lag(), oldest, events.isEmpty());
    return events;
  }

  private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.get().isBefore(b.get()) ? a : b;
  }

  private Outcome transaction(LedgerSession current, LedgerState ledger, List<SourceEvent> events) {
    StagedBatch batch;
    try {
      batch = step.append(ledger.chain(), events, lastCheckpointAt);
    } catch (CheckpointException e) {
      ledger.discard();
      progress.state(WriterState.CHECKPOINT_REFUSED);
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
            yield progress.state() == WriterState.FENCED ? Outcome.STOP : Outcome.RETRY;
          }
          current.rewind(batch.consumed());
          pause();
          yield Outcome.CONTINUE;
        }
      };
    }
    ledger.apply(batch, offsets);
    progress.committed(batch);
    batch
        .conflicts()
        .forEach(
            id ->
                LOG.warnf(
                    "event %s was recorded before with other content; recorded again and marked"
                        + " as a conflict",
                    id));
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
    progress.publish(
        new CommittedLedger(
            ledger.head(),
            ledger.committedCheckpoint(),
            ledger.tree(),
            ledger.offsets(),
            ledger.index()));
  }

  private Outcome positionLost(PortException e) {
    progress.state(WriterState.SOURCE_POSITION_LOST);
    LOG.errorf(
        "%s; the ledger writer stops rather than skip events silently. Set the consumer group %s"
            + " to the positions the ledger's last checkpoint states (auditor verify prints them),"
            + " then restart it",
        e.getMessage(), settings.groupId());
    return Outcome.STOP;
  }

  private Outcome fenced() {
    progress.fenced();
    LOG.errorf(
        "another ledger writer with transactional id %s took over; this one writes nothing more",
        settings.transactionalId());
    return Outcome.STOP;
  }

  void pause() {
    try {
      stopRequested.await(settings.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopRequested.countDown();
    }
  }
}
