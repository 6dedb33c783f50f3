package dev.tollgate.gateway.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cronutils.model.time.ExecutionTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Which ticks fall due, which one fires and which are recorded as missed. */
class TickPlanTest {

  private static final ExecutionTime HOURLY = TickPlan.cron("0 0 * * * ?");
  private static final Duration DAY = Duration.ofHours(24);

  @Test
  void at_beforeTheNextTick_isIdle() {
    TickPlan plan =
        TickPlan.at(
            HOURLY,
            ZoneOffset.UTC,
            Instant.parse("2026-11-22T02:00:00Z"),
            Instant.parse("2026-11-22T02:59:59.999Z"),
            DAY);

    assertThat(plan.idle()).isTrue();
    assertThat(plan.accountedThrough()).isEqualTo(Instant.parse("2026-11-22T02:00:00Z"));
  }

  @Test
  void at_tickJustDue_firesItMissingNothing() {
    TickPlan plan =
        TickPlan.at(
            HOURLY,
            ZoneOffset.UTC,
            Instant.parse("2026-11-22T02:00:00Z"),
            Instant.parse("2026-11-22T03:00:00.400Z"),
            DAY);

    assertThat(plan.fire()).contains(Instant.parse("2026-11-22T03:00:00Z"));
    assertThat(plan.missed()).isZero();
    assertThat(plan.firstMissed()).isEmpty();
  }

  @Test
  void at_tickExactlyNow_firesIt() {
    TickPlan plan =
        TickPlan.at(
            HOURLY,
            ZoneOffset.UTC,
            Instant.parse("2026-11-22T02:00:00Z"),
            Instant.parse("2026-11-22T03:00:00Z"),
            DAY);

    assertThat(plan.fire()).contains(Instant.parse("2026-11-22T03:00:00Z"));
  }

  @Test
  void at_fiveHoursDown_firesTheLatestOnceAndCountsFourMissed() {
    TickPlan plan =
        TickPlan.at(
            HOURLY,
            ZoneOffset.UTC,
            Instant.parse("2026-11-22T02:00:00Z"),
            Instant.parse("2026-11-22T07:20:00Z"),
            DAY);

    assertThat(plan.fire()).contains(Instant.parse("2026-11-22T07:00:00Z"));
    assertThat(plan.missed()).isEqualTo(4);
    assertThat(plan.firstMissed()).contains(Instant.parse("2026-11-22T03:00:00Z"));
    assertThat(plan.accountedThrough()).isEqualTo(Instant.parse("2026-11-22T07:00:00Z"));
  }

  @Test
  void at_latestMissedOlderThanTheWindow_firesNothingAndCountsAllMissed() {
    ExecutionTime nightly = TickPlan.cron("0 0 2 * * ?");

    TickPlan plan =
        TickPlan.at(
            nightly,
            ZoneOffset.UTC,
            Instant.parse("2026-11-20T02:00:00Z"),
            Instant.parse("2026-11-22T09:00:00Z"),
            Duration.ofHours(6));

    assertThat(plan.fire()).isEmpty();
    assertThat(plan.missed()).isEqualTo(2);
    assertThat(plan.firstMissed()).contains(Instant.parse("2026-11-21T02:00:00Z"));
    assertThat(plan.accountedThrough()).isEqualTo(Instant.parse("2026-11-22T02:00:00Z"));
  }

  @Test
  void at_everySecondDownForDays_stopsCountingAtTheBound() {
    TickPlan plan =
        TickPlan.at(
            TickPlan.cron("* * * * * ?"),
            ZoneOffset.UTC,
            Instant.parse("2026-11-20T00:00:00Z"),
            Instant.parse("2026-11-22T00:00:00Z"),
            DAY);

    assertThat(plan.fire()).contains(Instant.parse("2026-11-22T00:00:00Z"));
    assertThat(plan.missed()).isEqualTo(TickPlan.MAX_COUNTED - 1);
  }

  @Test
  void at_timeZone_ticksInThatZone() {
    TickPlan plan =
        TickPlan.at(
            TickPlan.cron("0 0 2 * * ?"),
            ZoneId.of("Europe/Berlin"),
            Instant.parse("2026-11-21T01:00:00Z"),
            Instant.parse("2026-11-22T01:00:30Z"),
            DAY);

    assertThat(plan.fire()).contains(Instant.parse("2026-11-22T01:00:00Z"));
    assertThat(plan.missed()).isZero();
  }

  @Test
  void cron_notACronExpression_throws() {
    assertThatThrownBy(() -> TickPlan.cron("every day at two"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
