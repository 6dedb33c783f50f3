package dev.tollgate.gateway.report;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Turns authenticated trigger, decision and run events into reports on the commit, off the
 * consumers' threads: each report is a job, retried with exponential backoff (or as long as GitHub
 * asked to wait, during which every job waits) up to a bound, and counted by outcome in {@code
 * tollgate.gateway.checks.reports}. Nothing here can block, delay or change a decision: the
 * decision was made and recorded before its event reached this class.
 *
 * <p>Jobs of one trigger run in order on one thread (the trigger id picks it), so that the queued
 * check of a trigger is created before its decision looks for it on the same replica.
 *
 * <p>The commit of a decision or run event (which name only the trigger id) is the one its trigger
 * named: every replica remembers the targets of the recent triggers it read ({@link #remember}).
 * Likewise every replica remembers where the ledger recorded recent decisions ({@link #recorded});
 * a report is rendered when it is attempted, so it shows the ledger's seq as soon as it is known,
 * and the replica that reported a decision (or a run's end) reports it again when the ledger's
 * record of the decision is read after it, whichever came first.
 *
 * <p>Each report's end (written, refused, given up, dropped, nothing to report) is signalled to the
 * {@code done} callback its caller gave, so that the reporting consumer commits an event's offset
 * only once its report ended ({@link PendingOffsets}); a report cut short by {@link #close()} never
 * signals, and its event is read again after a restart.
 */
public final class CheckReporter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CheckReporter.class);

  /** Latest reports kept to render again when the ledger's record of their decision comes. */
  static final long SHOWN = 10_000;

  /** The metric counting reports by outcome. */
  public static final String METRIC = "tollgate.gateway.checks.reports";

  private final GitHubChecks github;
  private final Settings settings;
  private final MeterRegistry meters;

  /** By trigger id: its commit, or empty for a trigger that names none (nothing to report). */
  private final Cache<String, Optional<CheckTarget>> targets;

  /** By trigger id: where the ledger recorded its decision. */
  private final Cache<String, LedgerEntry> recorded;

  /** By trigger id: the latest decided or run-ended report this replica made, to re-render. */
  private final Cache<String, Render> shown;

  private final ScheduledExecutorService[] stripes;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong pausedUntilNanos = new AtomicLong(System.nanoTime());

  /**
   * How reports are retried and how many targets are remembered.
   *
   * @param maxAttempts attempts per report, the first included
   * @param backoff the wait after the first failure; doubled after each further one
   * @param maxBackoff the longest wait between attempts (unless GitHub asks for longer)
   * @param maxPending reports waiting at once; beyond it new ones are dropped and counted
   * @param remembered trigger targets remembered
   * @param rememberFor how long a trigger's target is remembered
   * @param threads threads reporting in parallel
   */
  public record Settings(
      int maxAttempts,
      Duration backoff,
      Duration maxBackoff,
      int maxPending,
      long remembered,
      Duration rememberFor,
      int threads) {
    public Settings {
      if (maxAttempts < 1 || maxPending < 1 || remembered < 1 || threads < 1) {
        throw new IllegalArgumentException(
            "attempts, pending, remembered and threads must be >= 1");
      }
      if (backoff.isNegative() || maxBackoff.compareTo(backoff) < 0) {
        throw new IllegalArgumentException("0 <= backoff <= max-backoff");
      }
    }
  }

  public CheckReporter(GitHubChecks github, Settings settings, MeterRegistry meters) {
    this.github = github;
    this.settings = settings;
    this.meters = meters;
    this.targets =
        Caffeine.newBuilder()
            .maximumSize(settings.remembered())
            .expireAfterWrite(settings.rememberFor())
            .build();
    this.recorded =
        Caffeine.newBuilder()
            .maximumSize(settings.remembered())
            .expireAfterWrite(settings.rememberFor())
            .build();
    // Decisions are kept whole here (to render them again), so fewer than targets: the ledger
    // records a decision seconds after it, and only a ledger lagging further loses the update.
    this.shown =
        Caffeine.newBuilder()
            .maximumSize(Math.min(settings.remembered(), SHOWN))
            .expireAfterWrite(settings.rememberFor())
            .build();
    this.stripes = new ScheduledExecutorService[settings.threads()];
    for (int i = 0; i < stripes.length; i++) {
      int n = i;
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "tollgate-checks-" + n);
                t.setDaemon(true);
                return t;
              });
      executor.setRemoveOnCancelPolicy(true);
      stripes[i] = executor;
    }
    for (String outcome :
        new String[] {
          "created",
          "updated",
          "stale",
          "status",
          "not_applicable",
          "retried",
          "failed",
          "gave_up",
          "no_target",
          "dropped"
        }) {
      meters.counter(METRIC, "outcome", outcome);
    }
  }

  /** Remembers where the trigger's check goes (every replica, for every trigger it reads). */
  public void remember(TriggerEvent trigger) {
    targets.put(trigger.triggerId(), CheckTarget.of(trigger));
  }

  /** The trigger was accepted: its check is created, queued (on the replica handling it). */
  public void accepted(TriggerEvent trigger) {
    accepted(trigger, NOTHING);
  }

  /** As {@link #accepted(TriggerEvent)}; {@code done} runs once the report ended. */
  public void accepted(TriggerEvent trigger, Runnable done) {
    remember(trigger);
    if (CheckTarget.of(trigger).isPresent()) {
      CheckReport report = CheckReports.accepted(trigger);
      submit(new Job(trigger.triggerId(), recorded -> report, 1, done));
    } else {
      done.run();
    }
  }

  /** The trigger was decided: its check is completed with the decision. */
  public void decided(DecisionEvent decision) {
    decided(decision, NOTHING);
  }

  /** As {@link #decided(DecisionEvent)}; {@code done} runs once the report ended. */
  public void decided(DecisionEvent decision, Runnable done) {
    Render render = entry -> CheckReports.decided(decision, entry);
    shownLater(decision.triggerId(), render, CheckReport.Stage.DECIDED);
    submit(new Job(decision.triggerId(), render, 1, done));
  }

  /** An admitted run changed: its check is completed with the run's outcome once it ended. */
  public void runChanged(RunEvent run) {
    runChanged(run, NOTHING);
  }

  /** As {@link #runChanged(RunEvent)}; {@code done} runs once the report ended. */
  public void runChanged(RunEvent run, Runnable done) {
    if (CheckReports.runChanged(run).isEmpty()) {
      done.run();
      return;
    }
    Render render = entry -> CheckReports.runChanged(run, entry).orElseThrow();
    shownLater(run.triggerId(), render, CheckReport.Stage.RUN_ENDED);
    submit(new Job(run.triggerId(), render, 1, done));
  }

  /**
   * The ledger recorded the trigger's decision (its signed record was read): reports of the trigger
   * show where from now on, and the latest one this replica made is made again with it.
   */
  public void recorded(String triggerId, LedgerEntry entry) {
    if (recorded.asMap().putIfAbsent(triggerId, entry) != null) {
      return;
    }
    Render latest = shown.getIfPresent(triggerId);
    if (latest != null) {
      submit(new Job(triggerId, latest, 1, NOTHING));
    }
  }

  /** Where the ledger recorded the trigger's decision, if this replica read it. */
  Optional<LedgerEntry> recordedOf(String triggerId) {
    return Optional.ofNullable(recorded.getIfPresent(triggerId));
  }

  /** Keeps {@code render} as the trigger's latest report unless one of a later stage is kept. */
  private void shownLater(String triggerId, Render render, CheckReport.Stage stage) {
    shown
        .asMap()
        .merge(
            triggerId,
            render,
            (kept, given) ->
                kept.render(Optional.empty()).stage().compareTo(stage) > 0 ? kept : given);
  }

  /** Where reports are written. */
  GitHubChecks github() {
    return github;
  }

  /** How reports are retried. */
  Settings settings() {
    return settings;
  }

  /** Reports waiting or running. */
  public int pending() {
    return pending.get();
  }

  private static final Runnable NOTHING = () -> {};

  /** A report rendered from where the ledger recorded the decision (empty: not known yet). */
  @FunctionalInterface
  interface Render {
    CheckReport render(Optional<LedgerEntry> recorded);
  }

  private record Job(String triggerId, Render render, int attempt, Runnable done) {
    CheckReport.Stage stage() {
      return render.render(Optional.empty()).stage();
    }
  }

  private void submit(Job job) {
    if (pending.incrementAndGet() > settings.maxPending()) {
      LOG.warnf(
          "%d reports already wait for GitHub: the %s report of %s is dropped",
          settings.maxPending(), job.stage(), job.triggerId());
      end(job, "dropped");
      return;
    }
    schedule(job, Duration.ZERO);
  }

  /** The job ended with {@code outcome}: counted, no longer pending, its event may be committed. */
  private void end(Job job, String outcome) {
    count(outcome);
    pending.decrementAndGet();
    job.done().run();
  }

  private void schedule(Job job, Duration delay) {
    long paused = pausedUntilNanos.get() - System.nanoTime();
    long wait = Math.max(delay.toNanos(), paused);
    stripes[Math.floorMod(job.triggerId().hashCode(), stripes.length)].schedule(
        () -> run(job), Math.max(0, wait), TimeUnit.NANOSECONDS);
  }

  @SuppressWarnings("checkstyle:IllegalCatch") // top-level guard of a pool thread: see below
  private void run(Job job) {
    try {
      attempt(job);
    } catch (RuntimeException e) {
      // A bug must not leave the job counted as pending forever or end silently in its future.
      LOG.errorf(e, "the report of %s failed unexpectedly", job.triggerId());
      end(job, "failed");
    }
  }

  private void attempt(Job job) {
    long paused = pausedUntilNanos.get() - System.nanoTime();
    if (paused > 0) {
      // A rate limit was hit since this job was scheduled: wait it out with the rest.
      schedule(job, Duration.ofNanos(paused));
      return;
    }
    Optional<CheckTarget> known = targets.getIfPresent(job.triggerId());
    if (known == null) {
      // The trigger may not have been read yet on this replica.
      retryOrGiveUp(job, "no_target", null, "its trigger is not known here");
      return;
    }
    if (known.isEmpty()) {
      // A trigger that names no commit (a comment, a schedule, an external call): nowhere to show.
      end(job, "not_applicable");
      return;
    }
    CheckTarget target = known.get();
    // Rendered now, not when submitted: a retry shows the ledger's seq read in the meantime.
    CheckReport report = job.render().render(recordedOf(job.triggerId()));
    try {
      // A decision or run's end creates the check only if the replica handling the trigger's
      // acceptance has not, after one wait: so that two replicas do not both create it.
      boolean mayCreate = report.stage() == CheckReport.Stage.ACCEPTED || job.attempt() > 1;
      GitHubChecks.Written written = github.report(target, job.triggerId(), report, mayCreate);
      end(job, written.name().toLowerCase(java.util.Locale.ROOT));
    } catch (ReportFailedException e) {
      if (e.rateLimited() && e.waitAsked().isPresent()) {
        long until = System.nanoTime() + e.waitAsked().get().toNanos();
        pausedUntilNanos.accumulateAndGet(until, Math::max);
        meters.counter("tollgate.gateway.checks.rate_limited", "reason", e.reason()).increment();
        LOG.warnf("GitHub rate limit (%s): reports wait %s", e.reason(), e.waitAsked().get());
      }
      if (!e.retryable()) {
        LOG.warnf(
            "the %s report of %s on %s@%s was refused (%s): %s",
            report.stage(),
            job.triggerId(),
            target.repository(),
            target.headSha(),
            e.reason(),
            e.getMessage());
        end(job, "failed");
        return;
      }
      retryOrGiveUp(job, "gave_up", e.waitAsked().orElse(null), e.getMessage());
    }
  }

  private void retryOrGiveUp(Job job, String outcome, Duration asked, String why) {
    if (job.attempt() >= settings.maxAttempts()) {
      LOG.warnf(
          "the %s report of %s was given up after %d attempts: %s",
          job.stage(), job.triggerId(), job.attempt(), why);
      end(job, outcome);
      return;
    }
    count("retried");
    Duration backoff = backoff(job.attempt());
    Duration delay = asked != null && asked.compareTo(backoff) > 0 ? asked : backoff;
    LOG.debugf("the report of %s is retried in %s: %s", job.triggerId(), delay, why);
    schedule(new Job(job.triggerId(), job.render(), job.attempt() + 1, job.done()), delay);
  }

  /** The wait after attempt {@code attempt} failed: backoff doubled per attempt, capped. */
  Duration backoff(int attempt) {
    Duration wait = settings.backoff();
    for (int i = 1; i < attempt && wait.compareTo(settings.maxBackoff()) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
  }

  private void count(String outcome) {
    meters.counter(METRIC, "outcome", outcome).increment();
  }

  @Override
  public void close() {
    for (ScheduledExecutorService stripe : stripes) {
      stripe.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "CheckReporter[" + github + ", pending " + pending.get() + "]";
  }
}
