package dev.tollgate.ledger.append;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one Kafka transaction writes, built by {@link AppendStep} before the transaction begins: the
 * new records in seq order and the source offsets they consume. The writer applies it to its state
 * when the transaction commits and discards it when it does not; nothing else changes that state.
 *
 * @param records the records to append, in seq order
 * @param consumed the source offsets the transaction consumes (none for a key rotation)
 * @param sourceEvents how many source events were polled for it, recorded or not
 * @param appended how many source events it records (checkpoint and key-rotation records not
 *     counted)
 * @param duplicates the ids of polled events the ledger already holds with the same content, which
 *     it skips
 * @param conflicts the ids of polled events the ledger holds with other content, which it records
 *     as conflicts (counted in {@code appended})
 * @param checkpointedAt the time of the checkpoint record it carries, if any
 * @param unauthenticated how many of the records it appends are of source events whose signature
 *     did not verify under a key trusted for their topic (recorded as evidence, flagged)
 */
public record StagedBatch(
    List<StagedRecord> records,
    List<SourceRange> consumed,
    int sourceEvents,
    long appended,
    List<String> duplicates,
    List<String> conflicts,
    Optional<Instant> checkpointedAt,
    long unauthenticated) {

  public StagedBatch {
    if (records == null
        || consumed == null
        || duplicates == null
        || conflicts == null
        || checkpointedAt == null) {
      throw new IllegalArgumentException("every part of a staged batch is required");
    }
    if (sourceEvents < 0 || appended < 0 || appended + duplicates.size() != sourceEvents) {
      throw new IllegalArgumentException("a batch records or skips each event polled for it");
    }
    if (unauthenticated < 0 || unauthenticated > appended) {
      throw new IllegalArgumentException("only appended events can be unauthenticated");
    }
    records = List.copyOf(records);
    consumed = List.copyOf(consumed);
    duplicates = List.copyOf(duplicates);
    conflicts = List.copyOf(conflicts);
    if (conflicts.size() > appended) {
      throw new IllegalArgumentException("a conflict is an appended event");
    }
  }

  /** A batch whose events all verified, or that records none. */
  public StagedBatch(
      List<StagedRecord> records,
      List<SourceRange> consumed,
      int sourceEvents,
      long appended,
      List<String> duplicates,
      Optional<Instant> checkpointedAt) {
    this(records, consumed, sourceEvents, appended, duplicates, List.of(), checkpointedAt, 0);
  }

  /** A batch whose events all verified, or that records none, with its conflicts. */
  public StagedBatch(
      List<StagedRecord> records,
      List<SourceRange> consumed,
      int sourceEvents,
      long appended,
      List<String> duplicates,
      List<String> conflicts,
      Optional<Instant> checkpointedAt) {
    this(records, consumed, sourceEvents, appended, duplicates, conflicts, checkpointedAt, 0);
  }

  /** The seq of the first record, or -1 for a batch that appends nothing. */
  public long firstSeq() {
    return records.isEmpty() ? -1 : records.get(0).seq();
  }
}
