package dev.tollgate.ledger.signing;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordSigner;
import java.nio.file.Path;

/**
 * Signs ledger records with the ledger's own Ed25519 key, loaded from the PEM file named by {@code
 * tollgate.ledger.signing-key-file}. Hands out signatures and the public key, never the private
 * key.
 */
public final class LedgerSigner implements RecordSigner {

  private final SigningKey key;

  private LedgerSigner(SigningKey key) {
    this.key = key;
  }

  /** A signer for the key in this PKCS#8 PEM file. */
  public static LedgerSigner fromKeyFile(Path pemFile) throws SigningKeyException {
    return new LedgerSigner(SigningKey.load(pemFile));
  }

  @Override
  public LedgerPublicKey publicKey() {
    return key.publicKey();
  }

  @Override
  public byte[] sign(byte[] message) {
    return key.sign(message);
  }

  @Override
  public String toString() {
    return "LedgerSigner[keyId=" + key.publicKey().keyId() + "]";
  }
}
