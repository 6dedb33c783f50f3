package dev.tollgate.gateway.emit;

/**
 * Kafka did not acknowledge a trigger in time, or refused it. The trigger may or may not have been
 * written: the sender should retry, and because the trigger id is derived from the delivery id, a
 * retry that lands next to an earlier copy is deduplicated downstream.
 */
public final class TriggerNotAcknowledgedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String triggerId;

  public TriggerNotAcknowledgedException(String triggerId, String message, Throwable cause) {
    super(message, cause);
    this.triggerId = triggerId;
  }

  /** The trigger that was not acknowledged. */
  public String triggerId() {
    return triggerId;
  }
}
