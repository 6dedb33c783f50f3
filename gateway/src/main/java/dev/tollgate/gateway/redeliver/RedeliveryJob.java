package dev.tollgate.gateway.redeliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.github.RecentDeliveries;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.gateway.leader.Leadership;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final int RETRIES = 3;

  /**
   * Failed deliveries tracked at most; a hook failing more than this in a lookback is an outage.
   */
  private static final int MAX_TRACKED = 100_000;

  /** One row of GitHub's delivery list. */
  record Delivery(long id, String guid, Instant deliveredAt, int statusCode, boolean redelivery) {
    boolean succeeded() {
      return statusCode >= 200 && statusCode < 300;
    }
  }

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
  private final HttpClient http;
  private final Clock clock;
  private final Cache<String, Integer> attempts;
  private final GitHubRateBudget budget;

  /** Failed deliveries pending, by guid: the latest failed attempt of each. */
  private final Map<String, Delivery> tracked = new ConcurrentHashMap<>();

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
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
    active = runsHere();
    return active;
  }

  private boolean runsHere() {
    if (config.repository().isPresent()
        && (!REPOSITORY.matcher(config.repository().get()).matches()
            || config.hookId().isEmpty())) {
      throw new ConfigurationException(
          "tollgate.gateway.redelivery.repository must be owner/name and hook-id must be set",
          Set.of("tollgate.gateway.redelivery.repository", "tollgate.gateway.redelivery.hook-id"));
    }
    if (config.enabled().isPresent() && !config.enabled().get()) {
      LOG.info("redelivery: off (tollgate.gateway.redelivery.enabled=false)");
      return false;
    }
    Optional<String> missing = missingCredentials();
    if (missing.isEmpty()) {
      LOG.infof(
          "redelivery: on for %s, every %s, looking back %s (on the leading replica only)",
          config.repository().map(r -> r + " hook " + hookId()).orElse("the GitHub App's hook"),
          config.every(),
          config.lookback());
      return true;
    }
    if (config.enabled().isPresent()) {
      throw new ConfigurationException(
          "tollgate.gateway.redelivery.enabled=true but " + missing.get(),
          Set.of(GitHubCredentials.TOKEN_PROPERTY, GitHubCredentials.APP_ID_PROPERTY));
    }
    LOG.warnf(
        "redelivery: off, %s: deliveries GitHub fails to make while the gateway is down are not"
            + " asked for again",
        missing.get());
    return false;
  }

  private Optional<String> missingCredentials() {
    if (config.repository().isPresent()) {
      return credentials.configured() && !credentials.isApp()
          ? Optional.empty()
          : Optional.of(
              "a repository webhook's deliveries need "
                  + GitHubCredentials.TOKEN_PROPERTY
                  + " (a token with admin:repo_hook)");
    }
    return credentials.isApp()
        ? Optional.empty()
        : Optional.of(
            "no GitHub App credentials ("
                + GitHubCredentials.APP_ID_PROPERTY
                + ", "
                + GitHubCredentials.APP_KEY_PROPERTY
                + ") for the App's webhook, and no repository webhook"
                + " (tollgate.gateway.redelivery.repository, hook-id, with "
                + GitHubCredentials.TOKEN_PROPERTY
                + ")");
  }

  /** Whether the job is on here. */
  public boolean active() {
    return active;
  }

  @Scheduled(
      every = "${tollgate.gateway.redelivery.every:5m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = NotHere.class)
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

  /** Skips the scheduled run unless the job is on and this replica leads. */
  @Singleton
  public static class NotHere implements Scheduled.SkipPredicate {
    @Inject RedeliveryJob job;
    @Inject Leadership leadership;

    @Override
    public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
      return !job.active() || !leadership.leading();
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
    URI page = resume != null ? resume.next() : URI.create(base() + "/deliveries?per_page=100");
    long top = resume != null ? resume.top() : watermark;
    int listed = 0;
    for (int pages = 0; pages < config.maxPages(); pages++) {
      if (budget.blockedUntil().isPresent()) {
        resume = new Resume(page, top);
        return new Listing(listed, Stop.BUDGET);
      }
      HttpResponse<byte[]> response = send(HttpRequest.newBuilder(page).GET());
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
      for (Delivery d : parse(response.body())) {
        listed++;
        top = Math.max(top, d.id());
        if (d.id() <= watermark || d.deliveredAt().isBefore(since)) {
          reached = true;
          continue;
        }
        track(d);
      }
      URI next = reached ? null : next(response);
      if (next != null && !sameOrigin(next, credentials.apiUrl())) {
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

  private void track(Delivery d) {
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
    Delivery known = tracked.get(d.guid());
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
    List<Map.Entry<String, Delivery>> failed =
        tracked.entrySet().stream()
            .sorted(Comparator.comparing(e -> e.getValue().deliveredAt()))
            .toList();
    for (Map.Entry<String, Delivery> entry : failed) {
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
      Delivery latest = entry.getValue();
      HttpResponse<byte[]> response =
          send(
              HttpRequest.newBuilder(
                      URI.create(base() + "/deliveries/" + latest.id() + "/attempts"))
                  .POST(HttpRequest.BodyPublishers.noBody()));
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

  private String base() {
    return credentials.apiUrl()
        + (config.repository().isPresent()
            ? "/repos/" + config.repository().get() + "/hooks/" + config.hookId().orElseThrow()
            : "/app/hook");
  }

  /** Sends with the credential, retrying 5xx with doubling backoff (rate limits are not). */
  private HttpResponse<byte[]> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    Duration wait = config.backoff();
    for (int attempt = 1; ; attempt++) {
      HttpRequest built =
          request
              .copy()
              .timeout(Duration.ofSeconds(10))
              .header("Accept", "application/vnd.github+json")
              .header("X-GitHub-Api-Version", "2022-11-28")
              .header("Authorization", authorization())
              .build();
      HttpResponse<byte[]> response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() < 500 || attempt >= RETRIES) {
        return response;
      }
      Thread.sleep(wait.toMillis());
      wait = wait.multipliedBy(2);
    }
  }

  private String authorization() throws IOException {
    return credentials.isApp()
        ? credentials.appAuthorization().getEncodedAuthorization()
        : credentials.tokenAuthorization();
  }

  static List<Delivery> parse(byte[] body) throws IOException {
    JsonNode list;
    try {
      list = Json.readTree(body);
    } catch (MalformedJsonException e) {
      throw new IOException("the delivery list is not JSON: " + e.getMessage());
    }
    if (!list.isArray()) {
      throw new IOException("the delivery list is not a JSON array");
    }
    List<Delivery> deliveries = new ArrayList<>();
    for (JsonNode d : list) {
      if (!d.path("id").canConvertToLong()
          || !d.path("guid").isTextual()
          || !d.path("delivered_at").isTextual()) {
        continue; // a row we cannot act on is left to a human
      }
      try {
        deliveries.add(
            new Delivery(
                d.get("id").longValue(),
                d.get("guid").textValue(),
                Instant.parse(d.get("delivered_at").textValue()),
                d.path("status_code").asInt(0),
                d.path("redelivery").asBoolean(false)));
      } catch (DateTimeException e) {
        continue;
      }
    }
    return deliveries;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  private static URI next(HttpResponse<?> response) {
    for (String link : response.headers().allValues("Link")) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        try {
          return URI.create(m.group(1));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** Attempts made per guid, for tests. */
  Map<String, Integer> attempts() {
    return new HashMap<>(attempts.asMap());
  }
}
