package dev.tollgate.ledger.chain;

import dev.tollgate.schemas.ledger.LedgerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An event as the ledger read it from a source topic: what a record is built from.
 *
 * @param kind which source topic it came from
 * @param eventId its CloudEvents id, or the position-derived id when it had none
 * @param eventType its CloudEvents type, or {@code null} when it had none
 * @param source where it was read
 * @param data the record value exactly as read; {@code null} for a record without a value
 * @param headers the record's headers exactly as read, whose signature headers say who wrote it
 */
public record SourceEvent(
    LedgerRecord.Kind kind,
    String eventId,
    String eventType,
    LedgerRecord.SourcePosition source,
    byte[] data,
    Headers headers) {

  public SourceEvent {
    if (kind == null || source == null) {
      throw new IllegalArgumentException("kind and source are required");
    }
    if (eventId == null || eventId.isEmpty()) {
      throw new IllegalArgumentException("eventId is required");
    }
    data = data == null ? new byte[0] : data.clone();
    headers = copy(headers);
  }

  /** An event read without headers: it carries no signature. */
  public SourceEvent(
      LedgerRecord.Kind kind,
      String eventId,
      String eventType,
      LedgerRecord.SourcePosition source,
      byte[] data) {
    this(kind, eventId, eventType, source, data, null);
  }

  private static Headers copy(Headers headers) {
    RecordHeaders copy =
        headers == null ? new RecordHeaders() : new RecordHeaders(headers.toArray());
    copy.setReadOnly();
    return copy;
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

  @Override
  public Headers headers() {
    return copy(headers);
  }
}
