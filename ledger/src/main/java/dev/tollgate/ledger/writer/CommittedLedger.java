package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.store.SeqOffsets;
import java.util.Optional;

/**
 * What the writer has committed, as readers may see it: the head, the latest checkpoint, and the
 * tree and offsets, which hold at least {@code head.size()} records (the writer may be appending
 * beyond; readers never look there).
 *
 * @param head the committed chain head
 * @param checkpoint the latest committed checkpoint
 * @param tree the Merkle tree over at least the committed records
 * @param offsets the topic offset of at least every committed record
 * @param index the links of exactly the committed records
 */
public record CommittedLedger(
    ChainHead head,
    Optional<Checkpoint> checkpoint,
    MerkleTree tree,
    SeqOffsets offsets,
    LedgerIndex index) {

  /** Number of committed records. */
  public long size() {
    return head.size();
  }

  /** The topic offset of a committed record. */
  public long offset(long seq) {
    if (seq < 0 || seq >= head.size()) {
      throw new IllegalArgumentException("seq " + seq + " is not committed");
    }
    return offsets.offset(seq);
  }
}
