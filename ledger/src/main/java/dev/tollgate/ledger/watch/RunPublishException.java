package dev.tollgate.ledger.watch;

/** A run event could not be written to the runs topic. */
public final class RunPublishException extends Exception {
  private static final long serialVersionUID = 1L;

  public RunPublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
