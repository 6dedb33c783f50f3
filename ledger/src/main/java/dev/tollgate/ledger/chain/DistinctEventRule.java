package dev.tollgate.ledger.chain;

import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.List;

/**
 * Every distinct event is recorded once: a record repeating an event id must differ in content
 * (payload digest) from every earlier record of that id, unless it is authenticated and every
 * earlier record of that content is not, and name the first of them in {@code conflictsWith}; a
 * record of a new id names none.
 */
final class DistinctEventRule {

  private DistinctEventRule() {}

  /**
   * Checks {@code record} against the earlier records of its event id.
   *
   * @param earlier the records of its event id accepted before it, first one first
   * @param knowsEarlierEvents whether {@code earlier} can be trusted to be complete (a verifier
   *     resumed at a head without the event ids before it cannot check {@code conflictsWith})
   */
  static void require(
      long seq, LedgerRecord record, List<RecordedEvent> earlier, boolean knowsEarlierEvents)
      throws ChainException {
    Long conflictsWith = record.conflictsWith();
    if (earlier.isEmpty()) {
      if (conflictsWith != null && knowsEarlierEvents) {
        throw new ChainException(
            seq,
            Reason.CONFLICT_INVALID,
            "conflictsWith names seq "
                + conflictsWith
                + " but event "
                + record.eventId()
                + " was not recorded before");
      }
      return;
    }
    long first = earlier.get(0).seq();
    for (RecordedEvent before : earlier) {
      // An unauthenticated record never pre-empts a verified one: a verified event whose content
      // was recorded only unauthenticated before is recorded (as a conflict) all the same.
      if (before.payloadDigest().equals(record.payloadDigest())
          && (before.authenticated() || !record.authenticated())) {
        throw new ChainException(
            seq,
            Reason.DUPLICATE_EVENT,
            "event "
                + record.eventId()
                + " was recorded with the same content at seq "
                + before.seq());
      }
    }
    if (conflictsWith == null) {
      throw new ChainException(
          seq,
          Reason.DUPLICATE_EVENT,
          "event "
              + record.eventId()
              + " was recorded before at seq "
              + first
              + " and this record does not mark the conflict (conflictsWith)");
    }
    if (conflictsWith != first) {
      throw new ChainException(
          seq,
          Reason.CONFLICT_INVALID,
          "conflictsWith names seq "
              + conflictsWith
              + " but the first record of event "
              + record.eventId()
              + " is seq "
              + first);
    }
  }
}
