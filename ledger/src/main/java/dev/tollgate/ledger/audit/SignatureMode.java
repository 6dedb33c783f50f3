package dev.tollgate.ledger.audit;

/**
 * How {@code verify} authenticates the records it reads (ledger format, section 13). Both modes
 * check everything else of every record: canonical bytes, shape, seq and prev, the key in force,
 * the signature's spelling, payload digest, the distinct-event rule, source offsets and every
 * checkpoint against the Merkle tree.
 */
public enum SignatureMode {
  /**
   * The default: a record covered by a checkpoint whose note verifies with the key in force is
   * authenticated by that checkpoint (the Merkle root it signs commits to every byte of the records
   * before it, their signatures included); the Ed25519 signature of every record after the newest
   * checkpoint, and of every key rotation record, is verified individually.
   */
  CHECKPOINTS,

  /** The Ed25519 signature of every record is verified individually, checkpoints or not. */
  EVERY_RECORD;

  /** How reports name this mode. */
  public String wire() {
    return switch (this) {
      case CHECKPOINTS -> "checkpoints";
      case EVERY_RECORD -> "every-record";
    };
  }
}
