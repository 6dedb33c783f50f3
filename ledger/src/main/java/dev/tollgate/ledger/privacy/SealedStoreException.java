package dev.tollgate.ledger.privacy;

/** A sealed store entry that cannot be read; the message names the file, never its content. */
public final class SealedStoreException extends Exception {

  private static final long serialVersionUID = 1L;

  public SealedStoreException(String message) {
    super(message);
  }
}
