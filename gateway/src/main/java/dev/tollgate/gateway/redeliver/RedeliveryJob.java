package dev.tollgate.gateway.redeliver;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.github.RecentDeliveries;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.gateway.leader.Leadership;
import dev.tollgate.schemas.event.Ids;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * GitHub does not retry a failed delivery by itself. This job lists the webhook's deliveries
 * ({@code GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries}, or the GitHub App's {@code GET
 * /app/hook/deliveries}), finds each delivery (by its guid, the {@code X-GitHub-Delivery}) none of
 * whose attempts succeeded and that no replica accepted, and asks GitHub to redeliver its latest
 * attempt ({@code POST .../deliveries/{id}/attempts}), oldest first (GitHub keeps three days).
 *
 * <p>It runs on the replica that {@linkplain Leadership leads} only, and on by default wherever the
 * gateway has credentials that can list the hook's deliveries (the GitHub App's, or a token with a
 * configured repository webhook); otherwise it is off, and says so in a log line and the gauge
 * {@code tollgate.gateway.redelivery.enabled}.
 *
 * <p>It reads as far back as {@code lookback}, not only the newest page: GitHub's cursor pagination
 * ({@code Link: <...&cursor=...>; rel="next"}) is followed page by page, newest first, down to the
 * lookback or to the newest delivery an earlier complete pass already read (its watermark), so a
 * steady state costs one page per run. A pass stopped by the page bound or by the API budget is
 * resumed from its next page by the next run. Failed deliveries found stay pending across runs
 * until a later attempt succeeds, a replica accepts them, or they age past the lookback.
 *
 * <p>Its rate is bounded by GitHub's budget ({@link GitHubRateBudget}): rate-limit answers stop the
 * run until GitHub's reset or retry-after, the job stops spending once its share of the hour's
 * budget is used, redeliveries are paced (GitHub asks for a second between mutating requests) and
 * bounded per run, and each delivery is asked for a bounded number of times. A 5xx is retried with
 * doubling backoff a few times, then the run stops and the next one carries on. The redelivered
 * request comes back through {@code POST /webhooks/github} and is authenticated like any other.
 */
@Singleton
public class RedeliveryJob {

  private static final Logger LOG = Logger.getLogger(RedeliveryJob.class);

  /**
   * Failed deliveries tracked at most; a hook failing more than this in a lookback is an outage.
   */
  private static final int MAX_TRACKED = 100_000;

  /** Why a run stopped listing. */
  public enum Stop {
    /** It read down to the lookback or to the previous pass. */
    COMPLETE,
    /** It read its pages for this run; the next run resumes. */
    PAGE_LIMIT,
    /** GitHub's budget (a rate limit, or the job's share spent); the next run after it resumes. */
    BUDGET
  }

  /** What a run did: rows listed, guids failed and pending, the attempts redelivered. */
  public record Run(int listed, int failedGuids, List<Long> redelivered, Stop stop) {}

  /** A pass interrupted: the next page to read and the newest id the pass saw. */
  private record Resume(URI next, long top) {}

  private final GatewayConfig.Redelivery config;
  private final GitHubCredentials credentials;
  private final RecentDeliveries recent;
  private final MeterRegistry meters;
  private final HookDeliveriesApi api;
  private final Clock clock;
  private final Cache<String, Integer> attempts;
  private final GitHubRateBudget budget;

  /** Failed deliveries pending, by guid: the latest failed attempt of each. */
  private final Map<String, HookDelivery> tracked = new ConcurrentHashMap<>();

  /**
   * Guids seen succeeding in the current pass: read newest first, a pass meets a redelivery that
   * succeeded before the original attempt that failed.
   */
  private final Set<String> succeededInPass = new HashSet<>();

  private long watermark;
  private Resume resume;
  private volatile boolean active;

  @Inject
  public RedeliveryJob(
      GatewayConfig config,
      GitHubCredentials credentials,
      RecentDeliveries recent,
      MeterRegistry meters) {
    this(config.redelivery(), credentials, recent, meters, Clock.systemUTC());
  }

  RedeliveryJob(
      GatewayConfig.Redelivery config,
      GitHubCredentials credentials,
      RecentDeliveries recent,
      MeterRegistry meters,
      Clock clock) {
    this.config = config;
    this.credentials = credentials;
    this.recent = recent;
    this.meters = meters;
    this.clock = clock;
    this.api = new HookDeliveriesApi(config, credentials);
    this.attempts =
        Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(config.lookback()).build();
    this.budget = new GitHubRateBudget(config.budgetShare(), clock);
  }

  /**
   * The hook whose deliveries are redelivered, as X-GitHub-Hook-ID gives it: part of a delivery's
   * trigger id. Null for the GitHub App's hook without a configured id, whose accepted deliveries
   * this replica then does not recognise here; GitHub's own status of each delivery still does.
   */
  private String hookId() {
    return config.hookId().map(String::valueOf).orElse(null);
  }

  void decide(@Observes StartupEvent started) {
    decide();
  }

  /**
   * Decides whether the job runs here: on where the credentials can list the hook's deliveries,
   * unless {@code enabled=false}; {@code enabled=true} without them stops the gateway.
   *
   * @return whether it runs
   */
  boolean decide() {
    // Registered here rather than in the constructor, which must not let `this` escape.
    Gauge.builder("tollgate.gateway.redelivery.enabled", this, j -> j.active ? 1 : 0)
        .description("1 where the redelivery job is on (it runs on the leading replica only)")
        .register(meters);
    Gauge.builder("tollgate.gateway.redelivery.pending", this, RedeliveryJob::pending)
        .description("Failed deliveries found and not yet redelivered successfully")
        .register(meters);
    active = RedeliveryActivation.runsHere(config, credentials, hookId());
    return active;
  }

  /** Whether the job is on here. */
  public boolean active() {
    return active;
  }

  @Scheduled(
      every = "${tollgate.gateway.redelivery.every:5m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = RedeliveryNotHere.class)
  void scheduled() {
    try {
      Run run = run();
      LOG.infof(
          "redelivery: listed=%d pending=%d redelivered=%d stop=%s",
          run.listed(), run.failedGuids(), run.redelivered().size(), run.stop());
    } catch (IOException e) {
      meters.counter("tollgate.gateway.redelivery.runs", "outcome", "failed").increment();
      LOG.warnf("redelivery: run failed, the next run carries on: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One pass: list (resuming where the last run stopped), choose, redeliver. */
  public synchronized Run run() throws IOException, InterruptedException {
    Instant since = clock.instant().minus(config.lookback());
    Optional<Instant> blocked = budget.blockedUntil();
    if (blocked.isPresent()) {
      return stopped(0, List.of(), Stop.BUDGET, blocked.get());
    }
    Listing listing = list(since);
    prune(since);
    List<Long> redelivered = new ArrayList<>();
    Stop stop = listing.stop();
    if (stop != Stop.BUDGET) {
      stop = redeliver(redelivered, stop);
    }
    if (stop == Stop.BUDGET) {
      return stopped(
          listing.listed(), redelivered, stop, budget.blockedUntil().orElse(clock.instant()));
    }
    meters.counter("tollgate.gateway.redelivery.runs", "outcome", "completed").increment();
    return new Run(listing.listed(), pending(), redelivered, stop);
  }

  private Run stopped(int listed, List<Long> redelivered, Stop stop, Instant until) {
    meters.counter("tollgate.gateway.redelivery.runs", "outcome", "rate_limited").increment();
    LOG.infof(
        "redelivery: waiting for GitHub's budget until %s (%s); the next run after it resumes",
        until, budget.why());
    return new Run(listed, pending(), redelivered, stop);
  }

  private record Listing(int listed, Stop stop) {}

  private Listing list(Instant since) throws IOException, InterruptedException {
    URI page = resume != null ? resume.next() : api.firstPage();
    long top = resume != null ? resume.top() : watermark;
    int listed = 0;
    for (int pages = 0; pages < config.maxPages(); pages++) {
      if (budget.blockedUntil().isPresent()) {
        resume = new Resume(page, top);
        return new Listing(listed, Stop.BUDGET);
      }
      HttpResponse<byte[]> response = api.list(page);
      if (budget.observe(response.statusCode(), response.headers(), response.body())) {
        resume = new Resume(page, top);
        return new Listing(listed, Stop.BUDGET);
      }
      if (response.statusCode() != 200) {
        // A resumed cursor GitHub no longer knows starts the pass over; anything else is an error.
        resume = null;
        throw new IOException("listing deliveries answered " + response.statusCode());
      }
      boolean reached = false;
      for (HookDelivery d : HookDeliveriesApi.parse(response.body())) {
        listed++;
        top = Math.max(top, d.id());
        if (d.id() <= watermark || d.deliveredAt().isBefore(since)) {
          reached = true;
          continue;
        }
        track(d);
      }
      URI next = reached ? null : HookDeliveriesApi.next(response);
      if (next != null && !api.sameOrigin(next)) {
        // The API host comes from configuration only, never from a response.
        LOG.warnf("redelivery: the next page is on another host; stopping at page %d", pages + 1);
        next = null;
      }
      if (next == null) {
        watermark = top;
        resume = null;
        succeededInPass.clear();
        return new Listing(listed, Stop.COMPLETE);
      }
      page = next;
    }
    resume = new Resume(page, top);
    meters.counter("tollgate.gateway.redelivery.runs", "outcome", "page_limit").increment();
    return new Listing(listed, Stop.PAGE_LIMIT);
  }

  private void track(HookDelivery d) {
    if (d.succeeded()) {
      tracked.remove(d.guid());
      if (succeededInPass.size() < MAX_TRACKED) {
        succeededInPass.add(d.guid());
      }
      return;
    }
    if (succeededInPass.contains(d.guid())) {
      return;
    }
    HookDelivery known = tracked.get(d.guid());
    if (known == null && tracked.size() >= MAX_TRACKED) {
      meters.counter("tollgate.gateway.redelivery", "outcome", "skipped").increment();
      return;
    }
    if (known == null || d.deliveredAt().isAfter(known.deliveredAt())) {
      tracked.put(d.guid(), d);
    }
  }

  private void prune(Instant since) {
    tracked
        .entrySet()
        .removeIf(
            e ->
                e.getValue().deliveredAt().isBefore(since)
                    || recent.wasAccepted(Ids.githubTrigger(e.getKey(), hookId())));
  }

  private Stop redeliver(List<Long> redelivered, Stop listed)
      throws IOException, InterruptedException {
    List<Map.Entry<String, HookDelivery>> failed =
        tracked.entrySet().stream()
            .sorted(Comparator.comparing(e -> e.getValue().deliveredAt()))
            .toList();
    for (Map.Entry<String, HookDelivery> entry : failed) {
      String guid = entry.getKey();
      int asked = attempts.asMap().getOrDefault(guid, 0);
      if (asked >= config.maxAttemptsPerDelivery()) {
        continue;
      }
      if (redelivered.size() >= config.maxRedeliveries()) {
        meters.counter("tollgate.gateway.redelivery", "outcome", "deferred").increment();
        continue;
      }
      if (budget.blockedUntil().isPresent()) {
        return Stop.BUDGET;
      }
      if (!redelivered.isEmpty() && !config.pace().isZero()) {
        Thread.sleep(config.pace().toMillis());
      }
      HookDelivery latest = entry.getValue();
      HttpResponse<byte[]> response = api.redeliver(latest.id());
      if (budget.observe(response.statusCode(), response.headers(), response.body())) {
        return Stop.BUDGET;
      }
      attempts.put(guid, asked + 1);
      if (response.statusCode() == 202 || response.statusCode() == 200) {
        redelivered.add(latest.id());
        meters.counter("tollgate.gateway.redelivery", "outcome", "requested").increment();
        LOG.infof("redelivery: asked GitHub to redeliver delivery=%s (id %d)", guid, latest.id());
      } else {
        meters.counter("tollgate.gateway.redelivery", "outcome", "refused").increment();
        LOG.warnf(
            "redelivery: GitHub answered %d to redelivering delivery=%s",
            response.statusCode(), guid);
      }
    }
    return listed;
  }

  private int pending() {
    return tracked.size();
  }

  /** Attempts made per guid, for tests. */
  Map<String, Integer> attempts() {
    return new HashMap<>(attempts.asMap());
  }
}
