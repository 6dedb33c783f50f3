package dev.tollgate.ledger.signing;

import java.nio.file.Path;

/**
 * The configured signing key cannot be used. Names the file and what is wrong with it, never its
 * content.
 */
public final class SigningKeyException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the key file; stable names for alerts and runbooks. */
  public enum Reason {
    /** The file cannot be read. */
    UNREADABLE,
    /** The file holds no unencrypted PKCS#8 PEM {@code PRIVATE KEY} block. */
    NOT_PKCS8_PEM,
    /** The PKCS#8 key is not an Ed25519 key. */
    NOT_ED25519,
    /** The key does not produce signatures its own public key verifies. */
    SELF_TEST_FAILED
  }

  private final Reason reason;

  SigningKeyException(Path file, Reason reason, String problem) {
    super(
        "ledger signing key "
            + file
            + ": "
            + problem
            + " (create one with 'openssl genpkey -algorithm ED25519 -out key.pem')");
    this.reason = reason;
  }

  /** The stable reason code. */
  public Reason reason() {
    return reason;
  }
}
