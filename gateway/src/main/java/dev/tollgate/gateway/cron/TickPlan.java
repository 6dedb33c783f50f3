package dev.tollgate.gateway.cron;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * What one schedule owes at a moment, given the last tick it accounted for: nothing; its tick (the
 * latest due, which is the only one due while a leader evaluates every second); or, after every
 * replica was down, one catch-up (the latest missed tick, if within the catch-up window) and a
 * count of the older ticks recorded as missed. Pure, so that every case is a millisecond test.
 *
 * @param fire the tick to fire, if any
 * @param missed how many due ticks are not fired (counted up to {@link #MAX_COUNTED})
 * @param firstMissed the earliest tick not fired, when {@code missed > 0}
 * @param accountedThrough the latest due tick, fired or missed: the next plan starts after it
 */
public record TickPlan(
    Optional<Instant> fire, long missed, Optional<Instant> firstMissed, Instant accountedThrough) {

  /**
   * Missed ticks counted one by one at most; a schedule of every second down for days stops here.
   */
  public static final long MAX_COUNTED = 100_000;

  private static final CronParser QUARTZ =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

  public TickPlan {
    if (missed < 0 || (missed > 0) != firstMissed.isPresent()) {
      throw new IllegalArgumentException("missed ticks need the first missed tick");
    }
  }

  /** Whether there is nothing to fire or record. */
  public boolean idle() {
    return fire.isEmpty() && missed == 0;
  }

  /**
   * Parses a Quartz cron expression with seconds ({@code 0 0 2 * * ?}), as Quarkus' scheduler reads
   * it.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static ExecutionTime cron(String expression) {
    Cron cron = QUARTZ.parse(expression);
    cron.validate();
    return ExecutionTime.forCron(cron);
  }

  /**
   * The plan at {@code now} for a schedule that accounted for every tick up to {@code last}.
   *
   * @param window how old the latest due tick may be and still be fired as a catch-up
   */
  public static TickPlan at(
      ExecutionTime cron, ZoneId zone, Instant last, Instant now, Duration window) {
    ZonedDateTime after = last.truncatedTo(ChronoUnit.SECONDS).atZone(zone);
    Optional<ZonedDateTime> next = cron.nextExecution(after);
    if (next.isEmpty() || next.get().toInstant().isAfter(now)) {
      return new TickPlan(Optional.empty(), 0, Optional.empty(), last);
    }
    Instant first = next.get().toInstant();
    // The latest due tick: the last execution before the next second, so a tick at exactly now
    // counts.
    Instant latest =
        cron.lastExecution(now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).atZone(zone))
            .map(ZonedDateTime::toInstant)
            .filter(t -> !t.isBefore(first))
            .orElse(first);
    long due = 1;
    ZonedDateTime cursor = next.get();
    while (due < MAX_COUNTED && cursor.toInstant().isBefore(latest)) {
      Optional<ZonedDateTime> following = cron.nextExecution(cursor);
      if (following.isEmpty() || following.get().toInstant().isAfter(latest)) {
        break;
      }
      cursor = following.get();
      due++;
    }
    boolean fresh = !latest.isBefore(now.minus(window));
    long missed = fresh ? due - 1 : due;
    return new TickPlan(
        fresh ? Optional.of(latest) : Optional.empty(),
        missed,
        missed > 0 ? Optional.of(first) : Optional.empty(),
        latest);
  }
}
