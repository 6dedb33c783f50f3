package dev.tollgate.ledger.topic;

/** The ledger topic cannot be read: the broker is unreachable, or the topic is missing or wrong. */
public final class LedgerTopicException extends Exception {
  private static final long serialVersionUID = 1L;

  public LedgerTopicException(String message) {
    super(message);
  }

  public LedgerTopicException(String message, Throwable cause) {
    super(message, cause);
  }
}
