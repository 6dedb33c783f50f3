package dev.tollgate.ledger.checkpoint;

import dev.tollgate.ledger.chain.LedgerPublicKey;

/**
 * Signs the text of C2SP signed notes (checkpoints) with the ledger's Ed25519 key. The
 * implementation that holds the private key lives in {@code dev.tollgate.ledger.signing}.
 */
public interface NoteSigner {

  /** The public half, from which the note key ID is derived. */
  LedgerPublicKey publicKey();

  /**
   * A 64-byte Ed25519 signature over the note text: UTF-8, newline-terminated, without control
   * characters other than newline (so it can never be the signed bytes of a ledger record, which
   * are canonical JSON ending in '}').
   */
  byte[] signNote(byte[] noteText);
}
