package dev.tollgate.ledger.port;

/**
 * The broker did not do what the writer asked. The reason says what the writer does next: a fenced
 * writer stops for good, a woken one was asked to stop, any other failure is retried.
 */
public final class PortException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why the port failed. */
  public enum Reason {
    /** Another writer with the same transactional id took over. */
    FENCED,
    /** The writer was asked to stop while it waited on the broker. */
    WOKEN_UP,
    /** The broker could not be reached or refused the operation; trying again may succeed. */
    FAILED
  }

  private final Reason reason;

  public PortException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    if (reason == null) {
      throw new IllegalArgumentException("a port failure has a reason");
    }
    this.reason = reason;
  }

  public PortException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** Why the port failed. */
  public Reason reason() {
    return reason;
  }
}
