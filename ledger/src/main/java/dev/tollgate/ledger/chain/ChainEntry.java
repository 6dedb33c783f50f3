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
 */
public record ChainEntry(long seq, String hash, String eventId, LedgerRecord.Kind kind) {}
