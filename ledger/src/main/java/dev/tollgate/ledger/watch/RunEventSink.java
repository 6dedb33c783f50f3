package dev.tollgate.ledger.watch;

import dev.tollgate.schemas.event.RunEvent;

/** Where the run watch puts the events it observes: the runs topic in production. */
public interface RunEventSink {

  /**
   * Publishes the event under its deterministic id, returning once it is durably written.
   *
   * @throws RunPublishException when it could not be written; the watch retries on a later
   *     observation
   */
  void publish(String eventId, RunEvent event) throws RunPublishException;
}
