package dev.tollgate.ledger.port;

/**
 * Where the writer's transactions go: the broker as the writer sees it. Each {@link #open()} is one
 * producer lifetime; the writer opens a new session after any failure it cannot resolve in the
 * session it has. {@link KafkaLedgerPort} is the real one; tests use an in-memory one to reach
 * every failure branch without a broker.
 */
public interface LedgerPort {

  /**
   * Opens a session whose transactions fence every earlier session with the same transactional id,
   * and whose open transactions those earlier sessions left are aborted.
   *
   * @throws PortException {@link PortException.Reason#FENCED} when a newer session already took
   *     over, {@link PortException.Reason#FAILED} when the broker cannot be reached
   */
  LedgerSession open() throws PortException;
}
