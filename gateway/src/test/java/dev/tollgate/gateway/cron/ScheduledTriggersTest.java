package dev.tollgate.gateway.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.event.TriggerEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trigger of a schedule's tick, and the configuration a gateway refuses to start with. */
class ScheduledTriggersTest {

  private static final Instant TICK = Instant.parse("2026-11-22T02:00:00Z");

  @Test
  void trigger_sameTickOnTwoReplicas_isOneTriggerId() {
    // Two replicas fire the same tick a few milliseconds apart, and at different moments.
    TriggerEvent first =
        ScheduledTriggers.trigger(
            "nightly", nightly(), TICK.plusMillis(3), Instant.parse("2026-11-22T02:00:00.010Z"));
    TriggerEvent second =
        ScheduledTriggers.trigger(
            "nightly", nightly(), TICK.plusMillis(250), Instant.parse("2026-11-22T02:00:01.900Z"));

    assertThat(first.triggerId()).isEqualTo("schedule:nightly@2026-11-22T02:00:00Z");
    assertThat(second.triggerId()).isEqualTo(first.triggerId());
  }

  @Test
  void trigger_nextTick_isAnotherTriggerId() {
    TriggerEvent today = ScheduledTriggers.trigger("nightly", nightly(), TICK, TICK);
    TriggerEvent tomorrow =
        ScheduledTriggers.trigger(
            "nightly", nightly(), TICK.plusSeconds(86_400), TICK.plusSeconds(86_400));

    assertThat(tomorrow.triggerId()).isNotEqualTo(today.triggerId());
  }

  @Test
  void trigger_schedule_carriesItsRepositoryRefAndParameters() {
    TriggerEvent trigger =
        ScheduledTriggers.trigger(
            "nightly", nightly(), TICK, Instant.parse("2026-11-22T02:00:00.042Z"));

    assertThat(trigger.source()).isEqualTo(TriggerEvent.Source.SCHEDULE);
    assertThat(trigger.schedule()).isEqualTo(new TriggerEvent.Schedule("nightly", TICK));
    assertThat(trigger.repository()).isEqualTo("octo-org/payments");
    assertThat(trigger.ref()).isEqualTo("refs/heads/main");
    assertThat(trigger.parameters()).containsEntry("scan", "full");
    assertThat(trigger.receivedAt()).isEqualTo(Instant.parse("2026-11-22T02:00:00.042Z"));
    assertThat(trigger.sender()).as("nobody sent a scheduled trigger").isNull();
  }

  @Test
  void validate_unknownTimeZone_failsNamingTheProperty() {
    assertThatThrownBy(
            () ->
                ScheduledTriggers.validate(
                    "nightly", schedule("0 0 2 * * ?", "Mars/Olympus_Mons", "octo-org/payments")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tollgate.gateway.schedules.nightly.time-zone");
  }

  @Test
  void validate_repositoryNotOwnerName_fails() {
    assertThatThrownBy(
            () ->
                ScheduledTriggers.validate(
                    "nightly", schedule("0 0 2 * * ?", "UTC", "octo-org/payments/extra")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tollgate.gateway.schedules.nightly.repository");
  }

  @Test
  void validate_nameThatCannotBeInATriggerId_fails() {
    assertThatThrownBy(() -> ScheduledTriggers.validate("night ly@2", nightly()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("name");
  }

  @Test
  void validate_wellFormedSchedule_passes() {
    ScheduledTriggers.validate("nightly", schedule("0 0 2 * * ?", "Europe/Berlin", "a/b"));
  }

  private static GatewayConfig.ScheduleConfig nightly() {
    return schedule("0 0 2 * * ?", "UTC", "octo-org/payments");
  }

  private static GatewayConfig.ScheduleConfig schedule(
      String cron, String timeZone, String repository) {
    return new GatewayConfig.ScheduleConfig() {
      @Override
      public String cron() {
        return cron;
      }

      @Override
      public String timeZone() {
        return timeZone;
      }

      @Override
      public Optional<String> repository() {
        return Optional.of(repository);
      }

      @Override
      public Optional<String> ref() {
        return Optional.of("refs/heads/main");
      }

      @Override
      public Map<String, String> parameters() {
        return Map.of("scan", "full");
      }
    };
  }
}
