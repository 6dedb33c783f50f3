package dev.tollgate.ledger.chain;

/** Input that is not an Ed25519 public key in the form we accept. Never quotes the input. */
public final class PublicKeyFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public PublicKeyFormatException(String message) {
    super(message);
  }
}
