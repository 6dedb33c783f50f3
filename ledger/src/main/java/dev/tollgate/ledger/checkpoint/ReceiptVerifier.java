package dev.tollgate.ledger.checkpoint;

import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.CheckpointException.Reason;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleProofs;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.util.List;
import java.util.Optional;

/**
 * Checks a {@link Receipt} offline, with the ledger's public key only: the checkpoint is signed by
 * the key under its origin, the entry is the ledger record at the receipt's index with a valid
 * signature, and the inclusion proof leads from the entry's leaf hash to the checkpoint's root.
 */
public final class ReceiptVerifier {

  private ReceiptVerifier() {}

  /**
   * Verifies the receipt for {@code entry} (the stored record bytes).
   *
   * @param origin the origin the checkpoint must carry; when empty, the checkpoint's own first line
   *     is taken (the key still has to have signed it under that name)
   * @return the checkpoint the entry is proven included in
   */
  public static Checkpoint verify(
      Receipt receipt, byte[] entry, LedgerPublicKey key, Optional<String> origin)
      throws CheckpointException {
    String name = origin.orElseGet(() -> firstLine(receipt.checkpoint()));
    if (!NoteKey.isName(name)) {
      throw new CheckpointException(Reason.MALFORMED, "the checkpoint names no valid origin");
    }
    Checkpoint checkpoint = Checkpoint.open(receipt.checkpoint(), NoteKey.of(name, key));
    if (receipt.index() >= checkpoint.size()) {
      throw new CheckpointException(
          Reason.NOT_INCLUDED,
          "index "
              + receipt.index()
              + " is beyond the checkpoint's "
              + checkpoint.size()
              + " entries");
    }
    verifyEntry(receipt.index(), entry, key);
    List<byte[]> proof = receipt.proof();
    if (!MerkleProofs.inclusionVerifies(
        receipt.index(), checkpoint.size(), MerkleHash.leaf(entry), proof, checkpoint.rootHash())) {
      throw new CheckpointException(
          Reason.NOT_INCLUDED,
          "the inclusion proof does not lead from entry "
              + receipt.index()
              + " to root "
              + checkpoint.rootDigest());
    }
    return checkpoint;
  }

  private static void verifyEntry(long index, byte[] entry, LedgerPublicKey key)
      throws CheckpointException {
    String prev;
    try {
      prev = Json.readTree(entry).path("prev").asText("");
    } catch (MalformedJsonException e) {
      throw new CheckpointException(Reason.ENTRY_INVALID, "the entry is not JSON");
    }
    ChainHead before;
    try {
      before = index == 0 ? ChainHead.EMPTY : new ChainHead(index, prev);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(Reason.ENTRY_INVALID, "the entry has no valid 'prev'");
    }
    try {
      ChainVerifier.resuming(before, List.of(key)).verifyNext(entry);
    } catch (ChainException e) {
      throw new CheckpointException(
          Reason.ENTRY_INVALID, "the entry is not ledger record " + index + ": " + e.describe());
    }
  }

  private static String firstLine(String note) {
    int end = note.indexOf('\n');
    return end < 0 ? "" : note.substring(0, end);
  }
}
