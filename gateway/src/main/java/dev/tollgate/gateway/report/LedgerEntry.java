package dev.tollgate.gateway.report;

import dev.tollgate.schemas.json.Sha256;

/**
 * Where Tollgate's ledger recorded a trigger's decision: the record's sequence number and its
 * record hash ({@code sha256:} over the record's bytes, as the next record's {@code prev} names
 * it), read from a ledger record whose signature verified under a trusted ledger key ({@link
 * LedgerRecords}).
 */
public record LedgerEntry(long seq, String recordHash) {
  public LedgerEntry {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative");
    }
    Sha256.requireDigest(recordHash, "recordHash");
  }
}
