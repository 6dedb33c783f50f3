package dev.tollgate.schemas.json;

/**
 * Input that is not the JSON it should be. The message says what is wrong and never quotes the
 * input, which may be large or carry data that does not belong in logs.
 */
public final class MalformedJsonException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedJsonException(String message) {
    super(message);
  }
}
