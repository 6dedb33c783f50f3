package dev.tollgate.ledger.witness;

import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.SignedNote;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an auditor requires of a checkpoint beyond the ledger's own signature: cosignatures by at
 * least {@code required} of the configured witnesses. As signed-note says, a line by a key that is
 * not configured is ignored, and a line that names a configured key but does not verify rejects the
 * note (it is a forgery, or the witness key is wrong), whatever else verifies.
 *
 * @param witnesses the witness keys an auditor trusts
 * @param required how many distinct witnesses must have cosigned
 */
public record WitnessQuorum(List<WitnessKey> witnesses, int required) {

  public WitnessQuorum {
    witnesses = List.copyOf(witnesses);
    if (required < 0 || required > witnesses.size()) {
      throw new IllegalArgumentException(
          "a witness quorum is between 0 and the " + witnesses.size() + " configured witnesses");
    }
    if (Set.copyOf(witnesses).size() != witnesses.size()) {
      throw new IllegalArgumentException("a witness is configured once");
    }
  }

  /** No witness required: what an auditor gets without witness keys. */
  public static WitnessQuorum none() {
    return new WitnessQuorum(List.of(), 0);
  }

  /**
   * Checks the cosignatures of a checkpoint note whose log signature the caller has verified.
   *
   * @return the verified cosignatures, one per witness that cosigned
   * @throws WitnessException {@code BAD_COSIGNATURE} when a line names a configured witness and
   *     does not verify; {@code QUORUM_NOT_MET} when fewer than {@code required} witnesses cosigned
   */
  public List<Cosignature> verify(String checkpointNote)
      throws WitnessException, CheckpointException {
    SignedNote note = SignedNote.parse(checkpointNote);
    List<Cosignature> verified = new ArrayList<>();
    Set<WitnessKey> cosigned = new LinkedHashSet<>();
    for (SignedNote.Signature line : note.signatures()) {
      for (WitnessKey key : witnesses) {
        if (!key.names(line.name(), line.keyId())) {
          continue;
        }
        Optional<Cosignature> cosignature = Cosignature.of(line);
        if (cosignature.isEmpty() || !cosignature.get().verifies(key, note.text())) {
          throw new WitnessException(
              WitnessException.Reason.BAD_COSIGNATURE,
              "the cosignature line by witness " + key.name() + " does not verify");
        }
        if (cosigned.add(key)) {
          verified.add(cosignature.get());
        }
      }
    }
    if (cosigned.size() < required) {
      throw new WitnessException(
          WitnessException.Reason.QUORUM_NOT_MET,
          cosigned.size()
              + " of the configured witnesses cosigned the checkpoint of "
              + firstLine(note.text())
              + "; "
              + required
              + " required");
    }
    return List.copyOf(verified);
  }

  private static String firstLine(String text) {
    return text.substring(0, text.indexOf('\n'));
  }
}
