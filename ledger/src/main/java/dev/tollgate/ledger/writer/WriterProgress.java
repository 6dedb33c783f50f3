package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.port.LedgerSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the writer thread reports and other threads read: its state, the committed ledger, the open
 * port session (so {@code close} can wake it), counters and the source lag. Thread-safe: the writer
 * thread writes, HTTP, metrics and readiness read.
 */
final class WriterProgress {

  private final Clock clock;
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

  WriterProgress(Clock clock) {
    this.clock = clock;
  }

  WriterState state() {
    return state;
  }

  void state(WriterState next) {
    state = next;
  }

  /** The writer found itself fenced by another writer with its transactional id. */
  void fenced() {
    state = WriterState.FENCED;
    fencings.incrementAndGet();
  }

  Optional<CommittedLedger> committed() {
    return Optional.ofNullable(committed);
  }

  void publish(CommittedLedger ledger) {
    committed = ledger;
  }

  Optional<LedgerSession> session() {
    return Optional.ofNullable(session);
  }

  void session(LedgerSession open) {
    session = open;
  }

  /**
   * A poll returned: {@code sourceLag} events wait. Polled events stay unrecorded until their
   * transaction commits; an empty poll with no lag means nothing waits.
   */
  void polled(long sourceLag, Optional<Instant> oldestPolled, boolean empty) {
    lag = sourceLag;
    oldestPolled.ifPresent(t -> oldestUnrecorded = t);
    if (empty && sourceLag == 0) {
      oldestUnrecorded = null;
    }
  }

  /** A batch's transaction committed. */
  void committed(StagedBatch batch) {
    if (lag == 0) {
      oldestUnrecorded = null;
    }
    appended.addAndGet(batch.appended());
    duplicatesSkipped.addAndGet(batch.duplicates().size());
    conflicting.addAndGet(batch.conflicts().size());
    unauthenticated.addAndGet(batch.unauthenticated());
  }

  void retention(Duration sourceRetention) {
    retention = sourceRetention;
  }

  long appended() {
    return appended.get();
  }

  long duplicatesSkipped() {
    return duplicatesSkipped.get();
  }

  long conflicting() {
    return conflicting.get();
  }

  long unauthenticated() {
    return unauthenticated.get();
  }

  long fencings() {
    return fencings.get();
  }

  long lag() {
    return lag;
  }

  /** See {@link LedgerWriter#retentionHeadroomSeconds()}. */
  double retentionHeadroomSeconds() {
    Duration kept = retention;
    if (kept == null) {
      return Double.NaN;
    }
    Instant oldest = oldestUnrecorded;
    Duration age = oldest == null ? Duration.ZERO : Duration.between(oldest, clock.instant());
    return kept.minus(age).toMillis() / 1000.0;
  }
}
