package dev.tollgate.ledger.witness;

import dev.tollgate.ledger.checkpoint.Checkpoint;
import java.util.List;

/**
 * Gets one witness's cosignature for each new checkpoint. It remembers the size the witness last
 * cosigned; when that is unknown (a restart) or wrong, the witness's 409 names its size and the
 * submission is repeated once with the proof from there. A witness that holds a larger tree than
 * the checkpoint, or refuses the proof, has seen another history: that is reported as {@code
 * ROLLBACK}, never retried into agreement.
 */
public final class CheckpointWitness {

  /** Consistency proofs between two sizes of the ledger's tree (RFC 6962). */
  @FunctionalInterface
  public interface Proofs {
    List<byte[]> consistency(long from, long to);
  }

  private final WitnessClient client;
  private long witnessSize;

  public CheckpointWitness(WitnessClient client) {
    this.client = client;
  }

  /** The witness's key. */
  public WitnessKey key() {
    return client.key();
  }

  /** The size of the last checkpoint this witness cosigned, as far as known (0 before any). */
  public synchronized long witnessSize() {
    return witnessSize;
  }

  /** Submits the checkpoint and returns the witness's verified cosignature. */
  public synchronized Cosignature cosign(Checkpoint checkpoint, Proofs proofs)
      throws WitnessException {
    long size = checkpoint.size();
    long old = Math.min(witnessSize, size);
    for (int attempt = 0; attempt < 2; attempt++) {
      List<byte[]> proof = old == 0 || old == size ? List.of() : proofs.consistency(old, size);
      WitnessClient.Answer answer = client.submit(checkpoint.note(), old, proof);
      // Java 17: no pattern switch; Answer is sealed to these two.
      if (answer instanceof WitnessClient.Cosigned cosigned) {
        witnessSize = size;
        return cosigned.cosignature();
      }
      long other = ((WitnessClient.OtherSize) answer).witnessSize();
      if (other > size) {
        witnessSize = other;
        throw new WitnessException(
            WitnessException.Reason.ROLLBACK,
            "witness "
                + key().name()
                + " has cosigned a tree of "
                + other
                + " records, larger than this checkpoint of "
                + size
                + ": the ledger was truncated since that witness saw it");
      }
      old = other;
    }
    throw new WitnessException(
        WitnessException.Reason.MALFORMED_RESPONSE,
        "witness " + key().name() + " named another size twice in a row");
  }
}
