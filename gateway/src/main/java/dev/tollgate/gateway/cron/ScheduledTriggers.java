package dev.tollgate.gateway.cron;

import com.cronutils.model.time.ExecutionTime;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.leader.Leadership;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.MalformedJsonException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The built-in schedules ({@code tollgate.gateway.schedules.<name>.*}), fired by one replica: the
 * one that {@linkplain Leadership leads}. Every second the leader works out, for each schedule,
 * which ticks of its cron expression (in its time zone) fell due since the last tick it accounted
 * for, fires the latest as a trigger whose id is {@code schedule:<name>@<scheduled instant>}, and
 * records the tick on the coordination topic once Kafka acknowledged the trigger. The other
 * replicas fire nothing.
 *
 * <p>A new leader reads the last tick of every schedule first, so after a handover it fires only
 * what its predecessor did not record; what a predecessor fired but did not get to record is fired
 * again under the same trigger id, which downstream recognizes. After every replica was down, each
 * schedule fires one catch-up (its latest missed tick, if younger than {@code
 * tollgate.gateway.scheduler.catch-up-window}) and records the older ticks as missed (counted as
 * {@code tollgate.gateway.schedules{outcome="missed"}}, and alerted). A tick Kafka does not
 * acknowledge after a few retries is counted as lost, and alerted too.
 */
// @Startup: a schedule that does not parse stops the gateway at startup, not at its first tick.
@Startup
@Singleton
public class ScheduledTriggers {

  private static final Logger LOG = Logger.getLogger(ScheduledTriggers.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final String KEY_PREFIX = "schedule:";

  /** One configured schedule, its cron expression parsed. */
  private record Entry(String name, GatewayConfig.ScheduleConfig config, ExecutionTime cron) {}

  private final Map<String, Entry> schedules;
  private final Function<TriggerEvent, Uni<Void>> emitter;
  private final Leadership leadership;
  private final Duration catchUpWindow;
  private final Duration retryBackoff;
  private final Clock clock;
  private final Counter emitted;
  private final Counter lost;
  private final Counter missed;
  private final Counter notRecorded;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  /** The last tick accounted for per schedule, in the current term. */
  private final Map<String, Instant> accounted = new ConcurrentHashMap<>();

  private long term = -1;

  @Inject
  public ScheduledTriggers(
      GatewayConfig config, TriggerEmitter emitter, Leadership leadership, MeterRegistry meters) {
    this(
        config.schedules(),
        emitter::emit,
        leadership,
        config.scheduler().catchUpWindow(),
        Duration.ofSeconds(1),
        Clock.systemUTC(),
        meters);
  }

  /** For tests: schedules fired through any emitter, on any clock. */
  public ScheduledTriggers(
      Map<String, GatewayConfig.ScheduleConfig> schedules,
      Function<TriggerEvent, Uni<Void>> emitter,
      Leadership leadership,
      Duration catchUpWindow,
      Duration retryBackoff,
      Clock clock,
      MeterRegistry meters) {
    Map<String, Entry> parsed = new LinkedHashMap<>();
    for (Map.Entry<String, GatewayConfig.ScheduleConfig> e : schedules.entrySet()) {
      validate(e.getKey(), e.getValue());
      parsed.put(e.getKey(), new Entry(e.getKey(), e.getValue(), cron(e.getKey(), e.getValue())));
      LOG.infof(
          "schedule=%s cron='%s' zone=%s repository=%s (fired by the leading replica)",
          e.getKey(),
          e.getValue().cron(),
          e.getValue().timeZone(),
          e.getValue().repository().orElse("-"));
    }
    this.schedules = Map.copyOf(parsed);
    this.emitter = emitter;
    this.leadership = leadership;
    this.catchUpWindow = catchUpWindow;
    this.retryBackoff = retryBackoff;
    this.clock = clock;
    this.emitted = meters.counter("tollgate.gateway.schedules", "outcome", "emitted");
    this.lost = meters.counter("tollgate.gateway.schedules", "outcome", "lost");
    this.missed = meters.counter("tollgate.gateway.schedules", "outcome", "missed");
    this.notRecorded = meters.counter("tollgate.gateway.schedules", "outcome", "not_recorded");
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

  private static ExecutionTime cron(String name, GatewayConfig.ScheduleConfig schedule) {
    try {
      return TickPlan.cron(schedule.cron());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          "tollgate.gateway.schedules."
              + name
              + ".cron is not a valid Quartz cron expression with seconds (e.g. 0 0 2 * * ?): "
              + e.getMessage(),
          Set.of("tollgate.gateway.schedules." + name + ".cron"));
    }
  }

  @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void everySecond() {
    evaluate(clock.instant());
  }

  /**
   * Fires what is due at {@code now} if this replica leads; nothing otherwise.
   *
   * @return by schedule, the ticks fired: each completes with its outcome ({@code fired} or {@code
   *     lost}) once the trigger was acknowledged or given up and the tick handed to the recorder
   */
  public synchronized Map<String, CompletionStage<String>> evaluate(Instant now) {
    if (!leadership.leading()) {
      term = -1;
      return Map.of();
    }
    if (leadership.term() != term) {
      term = leadership.term();
      accounted.clear();
      inFlight.clear();
    }
    Map<String, CompletionStage<String>> fired = new HashMap<>();
    List<String> names = new ArrayList<>(schedules.keySet());
    names.sort(null);
    for (String name : names) {
      if (inFlight.contains(name)) {
        continue;
      }
      Entry entry = schedules.get(name);
      Optional<Instant> last = lastAccounted(name);
      if (last.isEmpty()) {
        // First seen by any leader: nothing before now is owed.
        Instant baseline = now.truncatedTo(ChronoUnit.SECONDS);
        accounted.put(name, baseline);
        record(name, new TickRecord(baseline, "baseline", null, 0, null));
        continue;
      }
      TickPlan plan =
          TickPlan.at(
              entry.cron(), ZoneId.of(entry.config().timeZone()), last.get(), now, catchUpWindow);
      if (plan.idle()) {
        continue;
      }
      if (plan.missed() > 0) {
        missed.increment(plan.missed());
        LOG.warnf(
            "schedule=%s missed %d tick(s) from %s while no replica led; %s",
            name,
            plan.missed(),
            plan.firstMissed().orElseThrow(),
            plan.fire().isPresent()
                ? "firing the latest, " + plan.accountedThrough() + ", once"
                : "the latest is older than the catch-up window and is not fired");
      }
      if (plan.fire().isEmpty()) {
        accounted.put(name, plan.accountedThrough());
        record(
            name,
            new TickRecord(
                plan.accountedThrough(),
                "missed",
                null,
                plan.missed(),
                plan.firstMissed().orElse(null)));
        continue;
      }
      fired.put(name, fire(entry, plan, now));
    }
    return fired;
  }

  private Optional<Instant> lastAccounted(String name) {
    Instant here = accounted.get(name);
    if (here != null) {
      return Optional.of(here);
    }
    Optional<String> stored = leadership.get(KEY_PREFIX + name);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    try {
      Instant tick = TickRecord.parse(stored.get()).tick();
      accounted.put(name, tick);
      return Optional.of(tick);
    } catch (MalformedJsonException e) {
      // Unreadable state must not stop the schedule: start over from now, as for a new schedule.
      LOG.warnf("schedule=%s: its recorded tick is unreadable (%s); starting from now", name, e);
      return Optional.empty();
    }
  }

  private CompletionStage<String> fire(Entry entry, TickPlan plan, Instant now) {
    String name = entry.name();
    Instant tick = plan.fire().orElseThrow();
    TriggerEvent trigger = trigger(name, entry.config(), tick, now.truncatedTo(ChronoUnit.MILLIS));
    long firedInTerm = term;
    inFlight.add(name);
    accounted.put(name, plan.accountedThrough());
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Uni.createFrom()
        .deferred(() -> emitter.apply(trigger))
        .onFailure()
        .retry()
        .withBackOff(retryBackoff, retryBackoff.multipliedBy(10))
        .atMost(3)
        .subscribe()
        .with(
            ok -> {
              emitted.increment();
              LOG.infof("schedule=%s trigger=%s outcome=accepted", name, trigger.triggerId());
              done(name, firedInTerm, plan, trigger, "fired");
              outcome.complete("fired");
            },
            failure -> {
              lost.increment();
              LOG.errorf(
                  "schedule=%s trigger=%s lost: not acknowledged by Kafka after retries: %s",
                  name, trigger.triggerId(), failure.getMessage());
              done(name, firedInTerm, plan, trigger, "lost");
              outcome.complete("lost");
            });
    return outcome;
  }

  private void done(
      String name, long firedInTerm, TickPlan plan, TriggerEvent trigger, String outcome) {
    synchronized (this) {
      inFlight.remove(name);
      if (firedInTerm != term || !leadership.leading()) {
        // Leadership moved meanwhile: the next leader reads what was recorded before it led.
        return;
      }
    }
    record(
        name,
        new TickRecord(
            plan.accountedThrough(),
            outcome,
            trigger.triggerId(),
            plan.missed(),
            plan.firstMissed().orElse(null)));
  }

  private void record(String name, TickRecord tick) {
    leadership
        .put(KEY_PREFIX + name, tick.json())
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                notRecorded.increment();
                LOG.warnf(
                    "schedule=%s: tick %s not recorded (%s); a later leader may fire it again"
                        + " under the same trigger id",
                    name, tick.tick(), failure.getMessage());
              }
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
