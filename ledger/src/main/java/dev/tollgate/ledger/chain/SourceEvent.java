package dev.tollgate.ledger.chain;

import dev.tollgate.schemas.ledger.LedgerRecord;

/**
 * An event as the ledger read it from a source topic: what a record is built from.
 *
 * @param kind which source topic it came from
 * @param eventId its CloudEvents id, or the position-derived id when it had none
 * @param eventType its CloudEvents type, or {@code null} when it had none
 * @param source where it was read
 * @param data the record value exactly as read; {@code null} for a record without a value
 */
public record SourceEvent(
    LedgerRecord.Kind kind,
    String eventId,
    String eventType,
    LedgerRecord.SourcePosition source,
    byte[] data) {

  public SourceEvent {
    if (kind == null || source == null) {
      throw new IllegalArgumentException("kind and source are required");
    }
    if (eventId == null || eventId.isEmpty()) {
      throw new IllegalArgumentException("eventId is required");
    }
    data = data == null ? new byte[0] : data.clone();
  }

  /**
   * The id for an event that carries no usable CloudEvents id: its position, which is stable across
   * redeliveries of the same Kafka record.
   */
  public static String positionId(String topic, int partition, long offset) {
    return topic + "-" + partition + "@" + offset;
  }

  @Override
  public byte[] data() {
    return data.clone();
  }
}
