package dev.tollgate.ledger.chain;

import dev.tollgate.schemas.json.Sha256;

/**
 * One record of a source event, as the chain remembers it to tell a redelivery (same id, same
 * content: not recorded again) from a conflict (same id, other content: recorded, marked).
 *
 * @param eventId the source event id
 * @param seq the seq of the record
 * @param payloadDigest the record's payload digest, which stands for the event's content
 * @param authenticated whether the record's source event verified under a key trusted for its
 *     topic: an unauthenticated record never pre-empts a verified event of the same id and content
 */
public record RecordedEvent(String eventId, long seq, String payloadDigest, boolean authenticated) {

  public RecordedEvent {
    if (eventId == null || eventId.isEmpty() || seq < 0) {
      throw new IllegalArgumentException("a recorded event has an id and a seq");
    }
    Sha256.requireDigest(payloadDigest, "payloadDigest");
  }
}
