package dev.tollgate.gateway.cron;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * What the leader records, keyed by schedule name on the coordination topic, after accounting for a
 * schedule's ticks: the latest tick accounted for and what became of it, and the older ticks it
 * recorded as missed. The next leader starts after {@code tick}.
 *
 * @param tick the latest tick accounted for
 * @param outcome {@code fired} (Kafka acknowledged its trigger), {@code lost} (it did not, after
 *     retries), {@code missed} (too old to catch up) or {@code baseline} (the moment a leader first
 *     saw the schedule: no tick before it is owed)
 * @param triggerId the tick's trigger id, when it was fired or lost
 * @param missed how many ticks before it were recorded as missed
 * @param firstMissed the earliest of those
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TickRecord(
    Instant tick, String outcome, String triggerId, long missed, Instant firstMissed) {

  public TickRecord {
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** The record's value on the topic: JSON, readable with kafka-console-consumer. */
  public String json() {
    return new String(Json.writeBytes(this), StandardCharsets.UTF_8);
  }

  /**
   * Reads a value from the topic.
   *
   * @throws MalformedJsonException when it is not a record this class wrote
   */
  public static TickRecord parse(String value) throws MalformedJsonException {
    TickRecord read = Json.read(value.getBytes(StandardCharsets.UTF_8), TickRecord.class);
    if (read == null) {
      throw new MalformedJsonException("null");
    }
    return read;
  }
}
