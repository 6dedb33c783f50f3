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
 */
public final class CheckReporter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CheckReporter.class);

  /** The metric counting reports by outcome. */
  public static final String METRIC = "tollgate.gateway.checks.reports";

  private final GitHubChecks github;
  private final Settings settings;
  private final MeterRegistry meters;

  /** By trigger id: its commit, or empty for a trigger that names none (nothing to report). */
  private final Cache<String, Optional<CheckTarget>> targets;

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
    remember(trigger);
    if (CheckTarget.of(trigger).isPresent()) {
      submit(new Job(trigger.triggerId(), CheckReports.accepted(trigger), 1));
    }
  }

  /** The trigger was decided: its check is completed with the decision. */
  public void decided(DecisionEvent decision) {
    submit(new Job(decision.triggerId(), CheckReports.decided(decision), 1));
  }

  /** An admitted run changed: its check is completed with the run's outcome once it ended. */
  public void runChanged(RunEvent run) {
    Optional<CheckReport> report = CheckReports.runChanged(run);
    report.ifPresent(r -> submit(new Job(run.triggerId(), r, 1)));
  }

  /** Reports waiting or running. */
  public int pending() {
    return pending.get();
  }

  private record Job(String triggerId, CheckReport report, int attempt) {}

  private void submit(Job job) {
    if (pending.incrementAndGet() > settings.maxPending()) {
      pending.decrementAndGet();
      count("dropped");
      LOG.warnf(
          "%d reports already wait for GitHub: the %s report of %s is dropped",
          settings.maxPending(), job.report().stage(), job.triggerId());
      return;
    }
    schedule(job, Duration.ZERO);
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
      count("failed");
      pending.decrementAndGet();
      LOG.errorf(
          e, "the %s report of %s failed unexpectedly", job.report().stage(), job.triggerId());
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
      count("not_applicable");
      pending.decrementAndGet();
      return;
    }
    CheckTarget target = known.get();
    try {
      // A decision or run's end creates the check only if the replica handling the trigger's
      // acceptance has not, after one wait: so that two replicas do not both create it.
      boolean mayCreate = job.report().stage() == CheckReport.Stage.ACCEPTED || job.attempt() > 1;
      GitHubChecks.Written written =
          github.report(target, job.triggerId(), job.report(), mayCreate);
      count(written.name().toLowerCase(java.util.Locale.ROOT));
      pending.decrementAndGet();
    } catch (ReportFailedException e) {
      if (e.rateLimited() && e.waitAsked().isPresent()) {
        long until = System.nanoTime() + e.waitAsked().get().toNanos();
        pausedUntilNanos.accumulateAndGet(until, Math::max);
        meters.counter("tollgate.gateway.checks.rate_limited", "reason", e.reason()).increment();
        LOG.warnf("GitHub rate limit (%s): reports wait %s", e.reason(), e.waitAsked().get());
      }
      if (!e.retryable()) {
        count("failed");
        pending.decrementAndGet();
        LOG.warnf(
            "the %s report of %s on %s@%s was refused (%s): %s",
            job.report().stage(),
            job.triggerId(),
            target.repository(),
            target.headSha(),
            e.reason(),
            e.getMessage());
        return;
      }
      retryOrGiveUp(job, "gave_up", e.waitAsked().orElse(null), e.getMessage());
    }
  }

  private void retryOrGiveUp(Job job, String outcome, Duration asked, String why) {
    if (job.attempt() >= settings.maxAttempts()) {
      count(outcome);
      pending.decrementAndGet();
      LOG.warnf(
          "the %s report of %s was given up after %d attempts: %s",
          job.report().stage(), job.triggerId(), job.attempt(), why);
      return;
    }
    count("retried");
    Duration backoff = backoff(job.attempt());
    Duration delay = asked != null && asked.compareTo(backoff) > 0 ? asked : backoff;
    LOG.debugf("the report of %s is retried in %s: %s", job.triggerId(), delay, why);
    schedule(new Job(job.triggerId(), job.report(), job.attempt() + 1), delay);
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
