package dev.tollgate.ledger.checkpoint;

/**
 * A checkpoint, signed note or receipt that cannot be trusted, or a checkpoint the ledger refuses
 * to sign. Carries a stable reason code; the message names what failed, never key material.
 */
public final class CheckpointException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why; scripts key on these names. */
  public enum Reason {
    /** The text is not a well-formed signed note, checkpoint, payload or receipt. */
    MALFORMED,
    /** No signature by the expected key verifies, or one by that key fails. */
    BAD_SIGNATURE,
    /** The tree is not an extension of the last checkpoint: signing would fork the log. */
    INCONSISTENT,
    /** The inclusion proof does not lead from the entry to the checkpoint's root. */
    NOT_INCLUDED,
    /** The entry is not the valid, signed ledger record at the receipt's index. */
    ENTRY_INVALID
  }

  private final Reason reason;

  public CheckpointException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** The stable reason code. */
  public Reason reason() {
    return reason;
  }

  /** One line for humans: reason code and what failed. */
  public String describe() {
    return reason + ": " + getMessage();
  }
}
