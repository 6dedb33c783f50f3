package dev.tollgate.cli.ledger;

/**
 * The ledger cannot be read: no broker or export named, an unreadable key, an unreachable broker, a
 * missing topic. The message names what, never a credential.
 */
public final class LedgerSourceException extends Exception {
  private static final long serialVersionUID = 1L;

  public LedgerSourceException(String message) {
    super(message);
  }
}
