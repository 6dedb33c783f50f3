package dev.tollgate.schemas.signing;

/** A signing or verification key that cannot be read. The message never holds key material. */
public final class EventKeyException extends Exception {
  private static final long serialVersionUID = 1L;

  public EventKeyException(String message) {
    super(message);
  }

  public EventKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
