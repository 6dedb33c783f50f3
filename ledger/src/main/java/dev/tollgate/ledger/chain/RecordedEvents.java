package dev.tollgate.ledger.chain;

import java.util.List;

/**
 * The source-event records a chain accepted, by event id: what tells a redelivery from a conflict.
 * In memory for an auditor's pass over a topic ({@link #inMemory()}); on disk in the writer's data
 * directory, so that the writer's heap does not grow with the ledger. Records are added uncommitted
 * and either committed together or rolled back together, as the transaction that carried them.
 */
public interface RecordedEvents {

  /** A store held in memory. */
  static RecordedEvents inMemory() {
    return new InMemoryRecordedEvents();
  }

  /** The records of this event id accepted so far (committed or not), in seq order. */
  List<RecordedEvent> records(String eventId);

  /** Accepts a record, uncommitted until {@link #markCommitted()}. */
  void add(RecordedEvent recorded);

  /** Makes every record added so far what {@link #rollback()} returns to. */
  void markCommitted();

  /** Forgets every record added since the last {@link #markCommitted()}. */
  void rollback();
}
