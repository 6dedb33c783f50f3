package dev.tollgate.gateway.redeliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.github.RecentDeliveries;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * GitHub does not retry a failed delivery by itself. This job lists the webhook's recent deliveries
 * ({@code GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries}, or the GitHub App's {@code GET
 * /app/hook/deliveries}), finds each delivery (by its guid, the {@code X-GitHub-Delivery}) none of
 * whose attempts succeeded and that this replica never accepted, and asks GitHub to redeliver its
 * latest attempt ({@code POST .../deliveries/{id}/attempts}).
 *
 * <p>Bounded everywhere: pages read, deliveries looked back on, redeliveries per run, attempts per
 * delivery across runs; a 429 or 5xx is retried with doubling backoff a few times, then the run
 * stops and the next one carries on. The redelivered request comes back through {@code POST
 * /webhooks/github} and is authenticated like any other.
 */
@Singleton
public class RedeliveryJob {

  private static final Logger LOG = Logger.getLogger(RedeliveryJob.class);
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final int RETRIES = 3;

  /** One row of GitHub's delivery list. */
  record Delivery(long id, String guid, Instant deliveredAt, int statusCode, boolean redelivery) {
    boolean succeeded() {
      return statusCode >= 200 && statusCode < 300;
    }
  }

  /** What a run did. */
  public record Run(int listed, int failedGuids, List<Long> redelivered) {}

  private final GatewayConfig.Redelivery config;
  private final GitHubCredentials credentials;
  private final RecentDeliveries recent;
  private final MeterRegistry meters;
  private final HttpClient http;
  private final Clock clock;
  private final Cache<String, Integer> attempts;

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
  }

  /**
   * The hook whose deliveries are redelivered, as X-GitHub-Hook-ID gives it: part of a delivery's
   * trigger id. Null for the GitHub App's hook without a configured id, whose accepted deliveries
   * this replica then does not recognise here; GitHub's own status of each delivery still does.
   */
  private String hookId() {
    return config.hookId().map(String::valueOf).orElse(null);
  }

  void validate(@Observes StartupEvent started) {
    if (!config.enabled()) {
      return;
    }
    if (config.repository().isPresent()) {
      if (!REPOSITORY.matcher(config.repository().get()).matches() || config.hookId().isEmpty()) {
        throw new ConfigurationException(
            "tollgate.gateway.redelivery.repository must be owner/name and hook-id must be set",
            Set.of(
                "tollgate.gateway.redelivery.repository", "tollgate.gateway.redelivery.hook-id"));
      }
      if (!credentials.configured() || credentials.isApp()) {
        throw new ConfigurationException(
            "redelivery for a repository webhook needs " + GitHubCredentials.TOKEN_PROPERTY,
            Set.of(GitHubCredentials.TOKEN_PROPERTY));
      }
    } else if (!credentials.isApp()) {
      throw new ConfigurationException(
          "redelivery for the App's webhook needs the GitHub App credentials; for a repository"
              + " webhook set tollgate.gateway.redelivery.repository and hook-id",
          Set.of(GitHubCredentials.APP_ID_PROPERTY, "tollgate.gateway.redelivery.repository"));
    }
  }

  @Scheduled(
      every = "${tollgate.gateway.redelivery.every:5m}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
      skipExecutionIf = Disabled.class)
  void scheduled() {
    try {
      Run run = run();
      LOG.infof(
          "redelivery: listed=%d failed=%d redelivered=%d",
          run.listed(), run.failedGuids(), run.redelivered().size());
    } catch (IOException e) {
      meters.counter("tollgate.gateway.redelivery.runs", "outcome", "failed").increment();
      LOG.warnf("redelivery: run failed, the next run carries on: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Skips the scheduled run unless the job is enabled. */
  @Singleton
  public static class Disabled implements Scheduled.SkipPredicate {
    @Inject GatewayConfig config;

    @Override
    public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
      return !config.redelivery().enabled();
    }
  }

  /** One pass: list, choose, redeliver. */
  public Run run() throws IOException, InterruptedException {
    Instant since = clock.instant().minus(config.lookback());
    Map<String, List<Delivery>> byGuid = new LinkedHashMap<>();
    int listed = 0;
    URI page = URI.create(base() + "/deliveries?per_page=100");
    for (int pages = 0; page != null && pages < config.maxPages(); pages++) {
      HttpResponse<byte[]> response = send(HttpRequest.newBuilder(page).GET());
      if (response.statusCode() != 200) {
        throw new IOException("listing deliveries answered " + response.statusCode());
      }
      boolean older = false;
      for (Delivery d : parse(response.body())) {
        listed++;
        if (d.deliveredAt().isBefore(since)) {
          older = true;
          continue;
        }
        byGuid.computeIfAbsent(d.guid(), g -> new ArrayList<>()).add(d);
      }
      page = older ? null : next(response);
      if (page != null && !sameOrigin(page, credentials.apiUrl())) {
        // The API host comes from configuration only, never from a response.
        LOG.warnf("redelivery: the next page is on another host; stopping at page %d", pages + 1);
        page = null;
      }
    }
    List<Long> redelivered = new ArrayList<>();
    int failedGuids = 0;
    for (Map.Entry<String, List<Delivery>> entry : byGuid.entrySet()) {
      List<Delivery> tries = entry.getValue();
      if (tries.stream().anyMatch(Delivery::succeeded)
          || recent.wasAccepted(Ids.githubTrigger(entry.getKey(), hookId()))) {
        continue;
      }
      failedGuids++;
      int asked = attempts.asMap().getOrDefault(entry.getKey(), 0);
      if (asked >= config.maxAttemptsPerDelivery()
          || redelivered.size() >= config.maxRedeliveries()) {
        meters.counter("tollgate.gateway.redelivery", "outcome", "skipped").increment();
        continue;
      }
      Delivery latest =
          tries.stream().max((a, b) -> a.deliveredAt().compareTo(b.deliveredAt())).orElseThrow();
      HttpResponse<byte[]> response =
          send(
              HttpRequest.newBuilder(
                      URI.create(base() + "/deliveries/" + latest.id() + "/attempts"))
                  .POST(HttpRequest.BodyPublishers.noBody()));
      attempts.put(entry.getKey(), asked + 1);
      if (response.statusCode() == 202 || response.statusCode() == 200) {
        redelivered.add(latest.id());
        meters.counter("tollgate.gateway.redelivery", "outcome", "requested").increment();
        LOG.infof(
            "redelivery: asked GitHub to redeliver delivery=%s (id %d)",
            entry.getKey(), latest.id());
      } else {
        meters.counter("tollgate.gateway.redelivery", "outcome", "refused").increment();
        LOG.warnf(
            "redelivery: GitHub answered %d to redelivering delivery=%s",
            response.statusCode(), entry.getKey());
      }
    }
    meters.counter("tollgate.gateway.redelivery.runs", "outcome", "completed").increment();
    return new Run(listed, failedGuids, redelivered);
  }

  private String base() {
    return credentials.apiUrl()
        + (config.repository().isPresent()
            ? "/repos/" + config.repository().get() + "/hooks/" + config.hookId().orElseThrow()
            : "/app/hook");
  }

  /** Sends with the credential, retrying 429 and 5xx with doubling backoff. */
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
      boolean retry = response.statusCode() == 429 || response.statusCode() >= 500;
      if (!retry || attempt >= RETRIES) {
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
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  private static URI next(HttpResponse<?> response) {
    for (String link : response.headers().allValues("Link")) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        return URI.create(m.group(1));
      }
    }
    return null;
  }

  /** Attempts made per guid, for tests. */
  Map<String, Integer> attempts() {
    return new HashMap<>(attempts.asMap());
  }
}
