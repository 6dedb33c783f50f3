package dev.tollgate.ledger.signing;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.checkpoint.NoteSigner;
import java.nio.file.Path;

/**
 * Signs ledger records and checkpoint notes with the ledger's own Ed25519 key, loaded from the PEM
 * file named by {@code tollgate.ledger.signing-key-file}. Hands out signatures and the public key,
 * never the private key.
 *
 * <p>Both purposes use the one key, as the architecture names one ledger key, and cannot be
 * confused: a record's signed bytes are canonical JSON, which ends in '}', while {@link #signNote}
 * signs only note text, which ends in a newline.
 */
public final class LedgerSigner implements RecordSigner, NoteSigner {

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

  /**
   * Ed25519 over the text of a C2SP signed note, as the signed-note spec prescribes. Refuses
   * anything that is not note text: empty, not newline-terminated, or with control characters other
   * than newline.
   */
  @Override
  public byte[] signNote(byte[] noteText) {
    if (noteText.length == 0 || noteText[noteText.length - 1] != '\n') {
      throw new IllegalArgumentException("note text is non-empty and ends with a newline");
    }
    for (byte b : noteText) {
      if ((b >= 0 && b < 0x20 && b != '\n') || b == 0x7f) {
        throw new IllegalArgumentException("note text has no control characters but newline");
      }
    }
    return key.sign(noteText);
  }

  @Override
  public String toString() {
    return "LedgerSigner[keyId=" + key.publicKey().keyId() + "]";
  }
}
