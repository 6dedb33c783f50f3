package dev.tollgate.ledger.chain;

/**
 * Signs ledger records. The chain package builds the bytes to sign; the implementation that holds
 * the private key lives in {@code dev.tollgate.ledger.signing}, so nothing here ever sees it.
 */
public interface RecordSigner {

  /** The public half, whose key id goes into every record. */
  LedgerPublicKey publicKey();

  /** A 64-byte Ed25519 (RFC 8032, pure) signature over the message. */
  byte[] sign(byte[] message);
}
