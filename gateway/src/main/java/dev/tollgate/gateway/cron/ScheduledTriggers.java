package dev.tollgate.gateway.cron;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The built-in schedules ({@code tollgate.gateway.schedules.<name>.*}): each tick of a schedule's
 * cron expression, in its time zone, emits a trigger whose id is {@code schedule:<name>@<scheduled
 * instant>}. The id depends on the tick, not on the replica or the moment it ran, so several
 * replicas firing the same tick produce one trigger downstream.
 *
 * <p>A tick Kafka does not acknowledge is retried with backoff a few times within the tick; the
 * other replicas' attempts for the same tick are deduplicated downstream by the trigger id.
 */
@Singleton
public class ScheduledTriggers {

  private static final Logger LOG = Logger.getLogger(ScheduledTriggers.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

  private final Scheduler scheduler;
  private final TriggerEmitter emitter;
  private final GatewayConfig config;
  private final MeterRegistry meters;

  @Inject
  public ScheduledTriggers(
      Scheduler scheduler, TriggerEmitter emitter, GatewayConfig config, MeterRegistry meters) {
    this.scheduler = scheduler;
    this.emitter = emitter;
    this.config = config;
    this.meters = meters;
  }

  void start(@Observes StartupEvent started) {
    for (Map.Entry<String, GatewayConfig.ScheduleConfig> entry : config.schedules().entrySet()) {
      String name = entry.getKey();
      GatewayConfig.ScheduleConfig schedule = entry.getValue();
      validate(name, schedule);
      try {
        scheduler
            .newJob("tollgate-schedule-" + name)
            .setCron(schedule.cron())
            .setTimeZone(schedule.timeZone())
            .setAsyncTask(execution -> fire(name, schedule, execution.getScheduledFireTime()))
            .schedule();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new ConfigurationException(
            "tollgate.gateway.schedules."
                + name
                + ".cron is not a valid cron expression: "
                + e.getMessage(),
            Set.of("tollgate.gateway.schedules." + name + ".cron"));
      }
      LOG.infof(
          "schedule=%s cron='%s' zone=%s repository=%s",
          name, schedule.cron(), schedule.timeZone(), schedule.repository().orElse("-"));
    }
  }

  static void validate(String name, GatewayConfig.ScheduleConfig schedule) {
    String prefix = "tollgate.gateway.schedules." + name;
    if (!NAME.matcher(name).matches()) {
      throw new ConfigurationException(
          prefix + ": a schedule's name must be 1 to 100 letters, digits, '.', '_' or '-'",
          Set.of(prefix));
    }
    try {
      ZoneId.of(schedule.timeZone());
    } catch (DateTimeException e) {
      throw new ConfigurationException(
          prefix + ".time-zone is not a time zone id such as Europe/Berlin or UTC",
          Set.of(prefix + ".time-zone"));
    }
    if (schedule.repository().isPresent()
        && !REPOSITORY.matcher(schedule.repository().get()).matches()) {
      throw new ConfigurationException(
          prefix + ".repository must be owner/name", Set.of(prefix + ".repository"));
    }
  }

  Uni<Void> fire(String name, GatewayConfig.ScheduleConfig schedule, Instant scheduledAt) {
    TriggerEvent trigger =
        trigger(name, schedule, scheduledAt, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    return Uni.createFrom()
        .deferred(() -> emitter.emit(trigger))
        .onFailure()
        .retry()
        .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
        .atMost(3)
        .onItemOrFailure()
        .transformToUni(
            (ok, failure) -> {
              if (failure != null) {
                meters.counter("tollgate.gateway.schedules", "outcome", "lost").increment();
                LOG.errorf(
                    "schedule=%s trigger=%s not acknowledged by Kafka after retries: %s",
                    name, trigger.triggerId(), failure.getMessage());
              } else {
                meters.counter("tollgate.gateway.schedules", "outcome", "emitted").increment();
                LOG.infof("schedule=%s trigger=%s outcome=accepted", name, trigger.triggerId());
              }
              return Uni.createFrom().voidItem();
            });
  }

  /** The trigger of one tick. The scheduled instant is taken to the second, as cron ticks are. */
  public static TriggerEvent trigger(
      String name, GatewayConfig.ScheduleConfig schedule, Instant scheduledAt, Instant now) {
    Instant tick = scheduledAt.truncatedTo(ChronoUnit.SECONDS);
    return TriggerEvent.scheduled(
        new TriggerEvent.Schedule(name, tick),
        now,
        schedule.repository().orElse(null),
        schedule.ref().orElse(null),
        schedule.parameters());
  }
}
