package dev.tollgate.ledger.witness;

/**
 * A witness could not be asked, answered something that is not a valid cosignature, or refused a
 * checkpoint. Carries a stable reason code; the message names the witness and what failed.
 */
public final class WitnessException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why; alerts and scripts key on these names. */
  public enum Reason {
    /** A configured witness key is not a cosignature/v1 verifier key. */
    MALFORMED_KEY,
    /** The witness did not answer (connection, timeout, 5xx): retried later, nothing else waits. */
    UNAVAILABLE,
    /** The witness answered, but not with anything the protocol allows. */
    MALFORMED_RESPONSE,
    /** The cosignature the witness returned does not verify under its configured key. */
    BAD_COSIGNATURE,
    /** The witness refused the checkpoint (bad log signature, unknown origin, bad proof). */
    REFUSED,
    /**
     * The witness has cosigned a larger tree than the one offered, or refuses the consistency proof
     * from the size it holds: the ledger was truncated or forked since that witness saw it.
     */
    ROLLBACK,
    /** Fewer configured witnesses cosigned a checkpoint than the quorum requires. */
    QUORUM_NOT_MET
  }

  private final Reason reason;

  public WitnessException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public WitnessException(Reason reason, String message, Throwable cause) {
    super(message, cause);
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
