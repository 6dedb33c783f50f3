package dev.tollgate.gateway.report;

/**
 * Something read off a topic that is not trusted, so never reported: an event whose writer is not
 * who it must be ({@link AuthenticatedEvents}), or a ledger record whose signature does not verify
 * ({@link LedgerRecords}). Carries a stable reason code (a metric label) and a message naming what
 * failed; never a key's secret part or an event's content.
 */
public final class RefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;

  RefusedException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** The stable reason code. */
  public String reason() {
    return reason;
  }
}
