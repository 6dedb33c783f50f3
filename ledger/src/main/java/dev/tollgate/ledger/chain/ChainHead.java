package dev.tollgate.ledger.chain;

import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;

/**
 * Where a chain stands: how many records it holds and the hash of the last one, which is what the
 * next record's {@code prev} must name.
 *
 * @param size number of records, so also the seq the next record gets
 * @param headHash record hash of the last record, or {@code null} for an empty chain
 */
public record ChainHead(long size, String headHash) {

  /** The chain before its first record. */
  public static final ChainHead EMPTY = new ChainHead(0, null);

  public ChainHead {
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative");
    }
    if ((size == 0) != (headHash == null)) {
      throw new IllegalArgumentException("an empty chain has no head hash, any other has one");
    }
    if (headHash != null) {
      Sha256.requireDigest(headHash, "headHash");
    }
  }

  /** The seq the next record must carry. */
  public long nextSeq() {
    return size;
  }

  /** The {@code prev} the next record must carry. */
  public String nextPrev() {
    return size == 0 ? LedgerRecord.GENESIS_PREV : headHash;
  }

  /** The seq of the last record, or -1 for an empty chain. */
  public long headSeq() {
    return size - 1;
  }

  /** Whether the chain holds no record yet. */
  public boolean isEmpty() {
    return size == 0;
  }

  /** The head after appending a record with this hash. */
  public ChainHead append(String recordHash) {
    return new ChainHead(size + 1, recordHash);
  }
}
