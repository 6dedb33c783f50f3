package dev.tollgate.ledger.writer;

/** What the ledger writer is doing; only {@link #WRITING} is ready. */
public enum WriterState {
  /** Not started yet. */
  STARTING,
  /** Fencing the previous writer and reading the chain back from the ledger topic. */
  RECOVERING,
  /** Appending events. */
  WRITING,
  /** Another writer with the same transactional id took over; this one writes nothing more. */
  FENCED,
  /** The stored chain does not verify; the writer refuses to extend it. */
  CHAIN_INVALID,
  /**
   * The tree was not consistent with the last signed checkpoint; the writer refused to sign a fork
   * and writes nothing more.
   */
  CHECKPOINT_REFUSED,
  /**
   * The chain is signed by a key other than the writer's, and none of the writer's previous keys is
   * in force to announce its key; the writer writes nothing.
   */
  KEY_NOT_IN_FORCE,
  /** An unexpected error stopped the writer; nothing more is written. */
  FAILED,
  /** Shut down. */
  STOPPED;

  /** Whether the writer writes nothing more in this state: it stopped, for good or when asked. */
  public boolean isFinal() {
    return switch (this) {
      case STARTING, RECOVERING, WRITING -> false;
      case FENCED, CHAIN_INVALID, CHECKPOINT_REFUSED, KEY_NOT_IN_FORCE, FAILED, STOPPED -> true;
    };
  }
}
