package dev.tollgate.ledger.index;

import java.util.List;

/**
 * Where a {@link LedgerIndex} keeps its records: in memory ({@link #inMemory()}, for the auditor
 * and tests), or on disk in the writer's data directory, so that the service's heap does not grow
 * with the ledger. Implementations are thread-safe.
 */
public interface LinkStore {

  /** A store held in memory. */
  static LinkStore inMemory() {
    return new InMemoryLinkStore();
  }

  /** Adds a record, in seq order, under each of its {@link LinkedRecord#keys()}. */
  void add(LinkedRecord record);

  /** The records added under {@code key}, in seq order. */
  List<LinkedRecord> find(String key);
}
