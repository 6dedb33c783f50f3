package dev.tollgate.ledger.chain;

/**
 * A ledger record that breaks the chain. Carries the seq at which the chain stopped being valid
 * (the position the record should have held, which for a missing record is the missing seq) and a
 * stable reason code; the message never quotes the record.
 */
public final class ChainException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a record was rejected; scripts key on these names. */
  public enum Reason {
    /** The value is not one JSON document. */
    NOT_JSON,
    /** The value is JSON but not byte for byte its RFC 8785 canonical form. */
    NOT_CANONICAL,
    /** The value does not have the shape of a ledger-record.v1. */
    INVALID_RECORD,
    /** The seq is not the next one: a record is missing, repeated or out of order. */
    SEQ_MISMATCH,
    /** The prev does not name the previous record's hash. */
    PREV_MISMATCH,
    /** The record is signed by a key the verifier does not trust. */
    UNKNOWN_KEY,
    /** The signature does not verify over the signed bytes. */
    BAD_SIGNATURE,
    /** The payload digest does not match the payload. */
    PAYLOAD_DIGEST_MISMATCH,
    /**
     * The event was recorded before with the same content, or with other content and without
     * marking the conflict.
     */
    DUPLICATE_EVENT,
    /** A record's {@code conflictsWith} does not name the first record of its event id. */
    CONFLICT_INVALID,
    /** A checkpoint record's payload or note is malformed, or covers another size than its seq. */
    CHECKPOINT_INVALID,
    /** A checkpoint note carries no valid signature by the key that signed its record. */
    CHECKPOINT_BAD_SIGNATURE,
    /** A checkpoint is not consistent with the checkpoint before it: the log forked. */
    CHECKPOINT_INCONSISTENT,
    /** A checkpoint's root hash is not the root of the records before it. */
    CHECKPOINT_ROOT_MISMATCH,
    /**
     * A checkpoint's source ranges do not account for the source offsets recorded: a range that
     * does not start where the last one ended, a recorded offset outside every range or repeated.
     */
    SOURCE_ACCOUNTING_INVALID,
    /** A key-rotation record is malformed or announces no usable key. */
    KEY_ROTATION_INVALID,
    /** The ledger ends before a size it was seen to have: records were cut off its tail. */
    TRUNCATED
  }

  private final long seq;
  private final Reason reason;

  public ChainException(long seq, Reason reason, String message) {
    super(message);
    this.seq = seq;
    this.reason = reason;
  }

  /** The first seq that is not valid. */
  public long seq() {
    return seq;
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
