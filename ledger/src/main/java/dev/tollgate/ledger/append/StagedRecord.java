package dev.tollgate.ledger.append;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A record the append step built, signed and verified, waiting for the transaction that carries it.
 *
 * @param seq its seq in the chain
 * @param eventId the source event it records ({@code checkpoint:N} or {@code key-rotation:N} for
 *     the ledger's own records); the subject of the record's CloudEvent
 * @param time when it was appended, as stated in the record
 * @param value the stored bytes: the record's RFC 8785 canonical JSON, which is also its Merkle
 *     leaf
 * @param tree the record as the tree {@code value} is the canonical form of, when the writer built
 *     it (so the index reads it without parsing {@code value}); null otherwise. Not to be modified.
 */
public record StagedRecord(long seq, String eventId, Instant time, byte[] value, JsonNode tree) {

  public StagedRecord {
    if (seq < 0 || eventId == null || eventId.isEmpty() || time == null || value == null) {
      throw new IllegalArgumentException(
          "a staged record has a seq, an event id, a time and bytes");
    }
  }

  /** A record known by its bytes alone. */
  public StagedRecord(long seq, String eventId, Instant time, byte[] value) {
    this(seq, eventId, time, value, null);
  }
}
