package dev.tollgate.ledger.checkpoint;

import dev.tollgate.ledger.checkpoint.CheckpointException.Reason;
import dev.tollgate.ledger.merkle.MerkleProofs;
import dev.tollgate.ledger.merkle.MerkleTree;
import java.util.List;
import java.util.Optional;

/**
 * Signs the ledger's checkpoints, and never two that contradict each other: before signing the tree
 * at a new size it proves, from the tree itself, that the last checkpoint is a prefix of it (RFC
 * 9162 consistency proof, verified as an auditor would) and refuses otherwise.
 */
public final class CheckpointIssuer {

  private final NoteKey key;
  private final NoteSigner signer;

  /** An issuer for the log with this origin, signing with the key {@code signer} holds. */
  public CheckpointIssuer(String origin, NoteSigner signer) {
    this.key = NoteKey.of(origin, signer.publicKey());
    this.signer = signer;
  }

  /** The note key checkpoints are signed with: the origin and the ledger's public key. */
  public NoteKey key() {
    return key;
  }

  /**
   * A signed checkpoint of the first {@code size} leaves of the tree.
   *
   * @param last the last checkpoint signed for this log, if any
   * @throws CheckpointException with reason {@link Reason#INCONSISTENT} when the tree at {@code
   *     size} does not extend {@code last}; nothing is signed then
   */
  public Checkpoint issue(MerkleTree tree, long size, Optional<Checkpoint> last)
      throws CheckpointException {
    byte[] root = tree.rootHash(size);
    if (last.isPresent()) {
      Checkpoint previous = last.get();
      if (!previous.origin().equals(key.name())) {
        throw new CheckpointException(
            Reason.INCONSISTENT,
            "the last checkpoint is of origin " + previous.origin() + ", not " + key.name());
      }
      if (previous.size() > size) {
        throw new CheckpointException(
            Reason.INCONSISTENT,
            "the last checkpoint covers " + previous.size() + " records, more than " + size);
      }
      List<byte[]> proof = tree.consistencyProof(previous.size(), size);
      if (!MerkleProofs.consistencyVerifies(
          previous.size(), size, proof, previous.rootHash(), root)) {
        throw new CheckpointException(
            Reason.INCONSISTENT,
            "the tree of size "
                + size
                + " does not extend the last checkpoint ("
                + previous
                + "); refusing to sign a fork");
      }
    }
    return Checkpoint.sign(key, size, root, signer);
  }
}
