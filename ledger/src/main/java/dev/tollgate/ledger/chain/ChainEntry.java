package dev.tollgate.ledger.chain;

import dev.tollgate.schemas.ledger.LedgerRecord;

/**
 * A record that passed every check of {@link ChainVerifier}, with what later records and indexes
 * need from it.
 *
 * @param seq its position in the chain
 * @param hash its record hash, which the next record's {@code prev} names
 * @param eventId the source event it records
 * @param kind which source topic the event came from
 * @param source where the event was read; null for the ledger's own records
 */
public record ChainEntry(
    long seq,
    String hash,
    String eventId,
    LedgerRecord.Kind kind,
    LedgerRecord.SourcePosition source) {

  /** An entry of a record without a source (a checkpoint or key rotation). */
  public ChainEntry(long seq, String hash, String eventId, LedgerRecord.Kind kind) {
    this(seq, hash, eventId, kind, null);
  }
}
