package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.NoteKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The checks that hold a verified ledger to checkpoints trusted from outside it: one the auditor
 * kept, or one the witnesses cosigned. A ledger cut short, rolled back or forked since fails them.
 */
final class SeenCheckpoints {

  private SeenCheckpoints() {}

  /**
   * The ledger still holds the tree a checkpoint seen before describes.
   *
   * @param seenName where that checkpoint came from, for messages
   */
  static void checkSeen(
      LedgerVerifier ledger, String note, String seenName, List<LedgerPublicKey> keys)
      throws ChainException {
    Checkpoint seen = null;
    String noteOrigin = note.split("\n", 2)[0];
    List<LedgerPublicKey> candidates = new ArrayList<>(keys);
    candidates.addAll(ledger.keysInForce());
    for (LedgerPublicKey key : candidates) {
      try {
        seen = Checkpoint.open(note, NoteKey.of(noteOrigin, key));
        break;
      } catch (CheckpointException | IllegalArgumentException e) {
        // Try the next key: the note names its key by a hash, not by our key id.
      }
    }
    if (seen == null) {
      // The kept checkpoint is the auditor's own evidence: a ledger none of whose keys signed it
      // is not the ledger that checkpoint was taken of (a forged export brings keys of its own).
      throw new ChainException(
          ledger.head().size(),
          ChainException.Reason.CHECKPOINT_BAD_SIGNATURE,
          seenName + " is not a checkpoint signed by a key of this ledger");
    }
    long size = ledger.head().size();
    if (seen.size() > size) {
      throw new ChainException(
          size,
          ChainException.Reason.TRUNCATED,
          "the ledger ends at "
              + size
              + " records, but a checkpoint of "
              + seen.size()
              + " records was seen before: records were cut off its tail");
    }
    if (!Arrays.equals(ledger.tree().rootHash(seen.size()), seen.rootHash())) {
      throw new ChainException(
          seen.size(),
          ChainException.Reason.CHECKPOINT_ROOT_MISMATCH,
          "the first "
              + seen.size()
              + " records no longer hash to the root "
              + seen.rootDigest()
              + " of the checkpoint seen before");
    }
  }

  /**
   * An export verified against its own cosignatures must be witnessed to its latest checkpoint: a
   * checkpoint the witnesses did not cosign is one they refused (a rolled-back or forked ledger) or
   * have not seen yet (export again once they have).
   */
  static void checkLatestWitnessed(LedgerVerifier ledger, String witnessedNote)
      throws ChainException {
    long witnessedSize = witnessedSize(witnessedNote);
    Checkpoint latest = ledger.lastCheckpoint().orElseThrow();
    if (latest.size() > witnessedSize) {
      throw new ChainException(
          latest.size(),
          ChainException.Reason.CHECKPOINT_INVALID,
          "QUORUM_NOT_MET: the latest checkpoint (size "
              + latest.size()
              + ") does not carry the witnesses' quorum, only the one of size "
              + witnessedSize
              + " does: the witnesses refused it (the ledger was rolled back or forked since"
              + " they cosigned) or had not cosigned it yet when the export was taken");
    }
  }

  /** The size a checkpoint note states (its second line). */
  static long witnessedSize(String note) {
    return Long.parseLong(note.split("\n", 3)[1]);
  }
}
