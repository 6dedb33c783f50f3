package dev.tollgate.gateway.redeliver;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.github.RecentDeliveries;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.schemas.event.Ids;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The redelivery job against a fake GitHub API. Delivery rows have the shape GitHub documents for
 * "List deliveries for a repository webhook" (id, guid, delivered_at, redelivery, duration, status,
 * status_code, event, action, installation_id, repository_id, throttled_at).
 */
class RedeliveryJobTest {

  private static final String HOOK = "/repos/octo-org/hello-world/hooks/292093104";
  private static final Instant NOW = Instant.parse("2026-11-22T09:00:00Z");

  private WireMockServer github;
  private RecentDeliveries recent;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void start() {
    github = new WireMockServer(wireMockConfig().dynamicPort());
    github.start();
    recent = new RecentDeliveries(100, Duration.ofHours(1));
    github.stubFor(
        post(urlPathMatching(HOOK + "/deliveries/[0-9]+/attempts"))
            .willReturn(aResponse().withStatus(202).withBody("{}")));
  }

  @AfterEach
  void stop() {
    github.stop();
  }

  @Test
  void run_failedNeverAccepted_asksForItsLatestAttemptOnly() throws Exception {
    listing(
        "["
            // failed twice, never succeeded: redeliver the latest attempt (id 13)
            + row(
                13,
                "aaaa0000-0000-11ef-8000-000000000001",
                "2026-11-22T08:30:00Z",
                true,
                502,
                "Bad Gateway")
            + ","
            + row(
                12,
                "aaaa0000-0000-11ef-8000-000000000001",
                "2026-11-22T08:00:00Z",
                false,
                503,
                "Service Unavailable")
            + ","
            // failed, then a redelivery succeeded: nothing to do
            + row(
                11,
                "bbbb0000-0000-11ef-8000-000000000002",
                "2026-11-22T07:59:00Z",
                true,
                202,
                "Accepted")
            + ","
            + row(
                10,
                "bbbb0000-0000-11ef-8000-000000000002",
                "2026-11-22T07:00:00Z",
                false,
                503,
                "Service Unavailable")
            + ","
            // timed out at GitHub (status_code 0), but this replica accepted it: nothing to do
            + row(
                9,
                "cccc0000-0000-11ef-8000-000000000003",
                "2026-11-22T06:00:00Z",
                false,
                0,
                "timed out")
            + ","
            // succeeded
            + row(
                8,
                "dddd0000-0000-11ef-8000-000000000004",
                "2026-11-22T05:00:00Z",
                false,
                202,
                "Accepted")
            + "]");
    // Remembered by trigger id, which names the hook: GitHub sends one delivery id to every hook.
    recent.accepted(
        Ids.githubTrigger("cccc0000-0000-11ef-8000-000000000003", "292093104"),
        "sha256:" + "0".repeat(64));

    RedeliveryJob.Run run = job(settings(10, 50, 3)).run();

    assertThat(run.listed()).isEqualTo(6);
    assertThat(run.failedGuids()).isEqualTo(1);
    assertThat(run.redelivered()).containsExactly(13L);
    github.verify(1, postRequestedFor(urlPathMatching(HOOK + "/deliveries/[0-9]+/attempts")));
    github.verify(
        postRequestedFor(urlEqualTo(HOOK + "/deliveries/13/attempts"))
            .withHeader("Authorization", equalTo("Bearer test-token"))
            .withHeader("Accept", equalTo("application/vnd.github+json")));
  }

  @Test
  void run_olderThanLookback_isLeftAlone() throws Exception {
    listing(
        "["
            + row(
                5,
                "eeee0000-0000-11ef-8000-000000000005",
                "2026-11-10T00:00:00Z",
                false,
                500,
                "Internal Server Error")
            + "]");

    RedeliveryJob.Run run = job(settings(10, 50, 3)).run();

    assertThat(run.redelivered()).isEmpty();
  }

  @Test
  void run_followsLinkHeaderToTheNextPage() throws Exception {
    String next = github.baseUrl() + HOOK + "/deliveries?per_page=100&cursor=v1_12";
    github.stubFor(
        get(urlEqualTo(HOOK + "/deliveries?per_page=100"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("Link", "<" + next + ">; rel=\"next\"")
                    .withBody(
                        "["
                            + row(
                                20,
                                "ffff0000-0000-11ef-8000-000000000006",
                                "2026-11-22T08:00:00Z",
                                false,
                                202,
                                "Accepted")
                            + "]")));
    github.stubFor(
        get(urlEqualTo(HOOK + "/deliveries?per_page=100&cursor=v1_12"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "["
                            + row(
                                19,
                                "ffff0000-0000-11ef-8000-000000000007",
                                "2026-11-22T07:00:00Z",
                                false,
                                504,
                                "Gateway Timeout")
                            + "]")));

    RedeliveryJob.Run run = job(settings(10, 50, 3)).run();

    assertThat(run.listed()).isEqualTo(2);
    assertThat(run.redelivered()).containsExactly(19L);
  }

  @Test
  void run_nextPageOnAnotherHost_stops() throws Exception {
    github.stubFor(
        get(urlEqualTo(HOOK + "/deliveries?per_page=100"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("Link", "<https://evil.example/next>; rel=\"next\"")
                    .withBody("[]")));

    RedeliveryJob.Run run = job(settings(10, 50, 3)).run();

    assertThat(run.listed()).isZero();
  }

  @Test
  void run_boundedPerRunAndPerDeliveryAcrossRuns() throws Exception {
    StringBuilder rows = new StringBuilder("[");
    for (int i = 0; i < 5; i++) {
      rows.append(i == 0 ? "" : ",")
          .append(
              row(
                  100 + i,
                  "0000000" + i + "-0000-11ef-8000-000000000000",
                  "2026-11-22T08:00:0" + i + "Z",
                  false,
                  500,
                  "Internal Server Error"));
    }
    listing(rows.append("]").toString());
    RedeliveryJob job = job(settings(10, 2, 1));

    RedeliveryJob.Run first = job.run();
    RedeliveryJob.Run second = job.run();
    RedeliveryJob.Run third = job.run();
    RedeliveryJob.Run fourth = job.run();

    assertThat(first.redelivered()).hasSize(2);
    assertThat(second.redelivered()).hasSize(2);
    assertThat(third.redelivered()).hasSize(1);
    assertThat(fourth.redelivered()).as("each delivery is asked for once at most").isEmpty();
  }

  @Test
  void run_githubAnswers503_retriesWithBackoffThenSucceeds() throws Exception {
    github.stubFor(
        get(urlEqualTo(HOOK + "/deliveries?per_page=100"))
            .inScenario("flaky")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("up"));
    github.stubFor(
        get(urlEqualTo(HOOK + "/deliveries?per_page=100"))
            .inScenario("flaky")
            .whenScenarioStateIs("up")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "["
                            + row(
                                7,
                                "abcd0000-0000-11ef-8000-000000000008",
                                "2026-11-22T08:00:00Z",
                                false,
                                500,
                                "Internal Server Error")
                            + "]")));

    RedeliveryJob.Run run = job(settings(10, 50, 3)).run();

    assertThat(run.redelivered()).containsExactly(7L);
  }

  @Test
  void run_deliveriesBeyondTenPages_areReadDownToTheLookback() throws Exception {
    // Twelve pages linked by GitHub's cursor; the only failure is on the last one, past the
    // newest 1,000 deliveries (ten pages of 100) that a single page-bounded listing would read.
    for (int p = 1; p <= 12; p++) {
      String rows =
          "["
              + row(
                  1000 - p,
                  String.format(Locale.ROOT, "%08d-0000-11ef-8000-000000000000", p),
                  String.format(Locale.ROOT, "2026-11-22T08:%02d:00Z", 60 - p * 4),
                  false,
                  p == 12 ? 502 : 202,
                  p == 12 ? "Bad Gateway" : "Accepted")
              + "]";
      page(p, p < 12 ? p + 1 : 0, rows);
    }

    RedeliveryJob.Run run = job(settings(50, 50, 3)).run();

    assertThat(run.listed()).isEqualTo(12);
    assertThat(run.redelivered()).containsExactly(988L);
    assertThat(run.stop()).isEqualTo(RedeliveryJob.Stop.COMPLETE);
  }

  @Test
  void run_pageLimitReached_nextRunResumesFromTheCursor() throws Exception {
    for (int p = 1; p <= 4; p++) {
      page(
          p,
          p < 4 ? p + 1 : 0,
          "["
              + row(
                  100 - p,
                  String.format(Locale.ROOT, "%08d-0000-11ef-8000-000000000001", p),
                  String.format(Locale.ROOT, "2026-11-22T08:%02d:00Z", 50 - p),
                  false,
                  p == 4 ? 500 : 202,
                  "x")
              + "]");
    }
    RedeliveryJob job = job(settings(2, 50, 3));

    RedeliveryJob.Run first = job.run();
    RedeliveryJob.Run second = job.run();

    assertThat(first.stop()).isEqualTo(RedeliveryJob.Stop.PAGE_LIMIT);
    assertThat(first.redelivered()).isEmpty();
    assertThat(second.stop()).isEqualTo(RedeliveryJob.Stop.COMPLETE);
    assertThat(second.redelivered()).containsExactly(96L);
    github.verify(1, getRequestedFor(urlEqualTo(pageUrl(1))));
    github.verify(1, getRequestedFor(urlEqualTo(pageUrl(3))));
  }

  @Test
  void run_afterACompletePass_readsOnlyNewerDeliveries() throws Exception {
    page(
        1,
        2,
        "["
            + row(
                31,
                "a1000000-0000-11ef-8000-000000000000",
                "2026-11-22T08:00:00Z",
                false,
                202,
                "Accepted")
            + "]");
    page(
        2,
        0,
        "["
            + row(
                30,
                "a2000000-0000-11ef-8000-000000000000",
                "2026-11-22T07:00:00Z",
                false,
                202,
                "Accepted")
            + "]");
    RedeliveryJob job = job(settings(10, 50, 3));

    job.run();
    RedeliveryJob.Run again = job.run();

    assertThat(again.stop()).isEqualTo(RedeliveryJob.Stop.COMPLETE);
    github.verify(2, getRequestedFor(urlEqualTo(pageUrl(1))));
    github.verify(1, getRequestedFor(urlEqualTo(pageUrl(2))));
  }

  @Test
  void run_primaryRateLimitExhausted_waitsUntilTheReset() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    long reset = NOW.plusSeconds(600).getEpochSecond();
    github.stubFor(
        get(urlEqualTo(pageUrl(1)))
            .inScenario("limit")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json; charset=utf-8")
                    .withHeader("x-ratelimit-limit", "5000")
                    .withHeader("x-ratelimit-remaining", "0")
                    .withHeader("x-ratelimit-used", "5000")
                    .withHeader("x-ratelimit-reset", Long.toString(reset))
                    .withHeader("x-ratelimit-resource", "core")
                    .withBody(
                        "{\"message\":\"API rate limit exceeded for installation ID 1.\","
                            + "\"documentation_url\":\"https://docs.github.com/rest/overview/"
                            + "rate-limits-for-the-rest-api\",\"status\":\"403\"}"))
            .willSetStateTo("reset"));
    github.stubFor(
        get(urlEqualTo(pageUrl(1)))
            .inScenario("limit")
            .whenScenarioStateIs("reset")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json; charset=utf-8")
                    .withHeader("x-ratelimit-limit", "5000")
                    .withHeader("x-ratelimit-remaining", "4999")
                    .withHeader("x-ratelimit-reset", Long.toString(reset + 3600))
                    .withBody(
                        "["
                            + row(
                                40,
                                "b1000000-0000-11ef-8000-000000000000",
                                "2026-11-22T08:00:00Z",
                                false,
                                503,
                                "Service Unavailable")
                            + "]")));
    RedeliveryJob job = job(settings(10, 50, 3), clock, "test-token");

    RedeliveryJob.Run limited = job.run();
    clock.set(NOW.plusSeconds(599));
    RedeliveryJob.Run tooEarly = job.run();
    clock.set(NOW.plusSeconds(601));
    RedeliveryJob.Run afterReset = job.run();

    assertThat(limited.stop()).isEqualTo(RedeliveryJob.Stop.BUDGET);
    assertThat(tooEarly.stop()).isEqualTo(RedeliveryJob.Stop.BUDGET);
    github.verify(2, getRequestedFor(urlEqualTo(pageUrl(1))));
    assertThat(afterReset.redelivered()).containsExactly(40L);
    assertThat(
            meters.counter("tollgate.gateway.redelivery.runs", "outcome", "rate_limited").count())
        .isEqualTo(2.0);
  }

  @Test
  void run_secondaryRateLimitOnRedelivery_stopsForRetryAfterThenGoesOn() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    listing(
        "["
            + row(
                51,
                "c1000000-0000-11ef-8000-000000000000",
                "2026-11-22T08:01:00Z",
                false,
                502,
                "Bad Gateway")
            + ","
            + row(
                50,
                "c2000000-0000-11ef-8000-000000000000",
                "2026-11-22T08:00:00Z",
                false,
                502,
                "Bad Gateway")
            + "]");
    github.stubFor(
        post(urlPathMatching(HOOK + "/deliveries/[0-9]+/attempts"))
            .inScenario("secondary")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json; charset=utf-8")
                    .withHeader("retry-after", "60")
                    .withBody(
                        "{\"message\":\"You have exceeded a secondary rate limit. Please wait a"
                            + " few minutes before you try again.\",\"documentation_url\":"
                            + "\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                            + "#about-secondary-rate-limits\",\"status\":\"403\"}"))
            .willSetStateTo("calm"));
    github.stubFor(
        post(urlPathMatching(HOOK + "/deliveries/[0-9]+/attempts"))
            .inScenario("secondary")
            .whenScenarioStateIs("calm")
            .willReturn(aResponse().withStatus(202).withBody("{}")));
    RedeliveryJob job = job(settings(10, 50, 3), clock, "test-token");

    RedeliveryJob.Run limited = job.run();
    clock.set(NOW.plusSeconds(30));
    RedeliveryJob.Run waiting = job.run();
    clock.set(NOW.plusSeconds(61));
    RedeliveryJob.Run resumed = job.run();

    assertThat(limited.stop()).isEqualTo(RedeliveryJob.Stop.BUDGET);
    assertThat(limited.redelivered()).isEmpty();
    assertThat(limited.failedGuids()).isEqualTo(2);
    assertThat(waiting.redelivered()).isEmpty();
    // 50 refused, nothing while waiting, then 50 and 51.
    github.verify(3, postRequestedFor(urlPathMatching(HOOK + "/deliveries/[0-9]+/attempts")));
    github.verify(2, postRequestedFor(urlEqualTo(HOOK + "/deliveries/50/attempts")));
    // Oldest first: the one GitHub refused is asked for again after retry-after, then the next.
    assertThat(resumed.redelivered()).containsExactly(50L, 51L);
  }

  @Test
  void run_shareOfTheHourSpent_stopsBeforeRedelivering() throws Exception {
    long reset = NOW.plusSeconds(1800).getEpochSecond();
    github.stubFor(
        get(urlPathEqualTo(HOOK + "/deliveries"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json; charset=utf-8")
                    .withHeader("x-ratelimit-limit", "5000")
                    .withHeader("x-ratelimit-remaining", "2400")
                    .withHeader("x-ratelimit-reset", Long.toString(reset))
                    .withBody(
                        "["
                            + row(
                                60,
                                "d1000000-0000-11ef-8000-000000000000",
                                "2026-11-22T08:00:00Z",
                                false,
                                500,
                                "x")
                            + "]")));

    RedeliveryJob.Run run = job(settings(10, 50, 3)).run();

    assertThat(run.stop()).isEqualTo(RedeliveryJob.Stop.BUDGET);
    assertThat(run.failedGuids()).isEqualTo(1);
    github.verify(0, postRequestedFor(urlPathMatching(HOOK + "/deliveries/[0-9]+/attempts")));
  }

  @Test
  void decide_noCredentials_isOffAndSaysSoInTheGauge() {
    RedeliveryJob job =
        job(settings(10, 50, 3, Optional.empty(), Optional.empty()), Clock.systemUTC(), null);

    assertThat(job.decide()).isFalse();
    assertThat(meters.get("tollgate.gateway.redelivery.enabled").gauge().value()).isZero();
  }

  @Test
  void decide_tokenAndRepositoryWebhook_isOnByDefault() {
    RedeliveryJob job = job(settings(10, 50, 3));

    assertThat(job.decide()).isTrue();
    assertThat(meters.get("tollgate.gateway.redelivery.enabled").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void decide_enabledWithoutCredentials_refusesToStart() {
    RedeliveryJob job =
        job(
            settings(10, 50, 3, Optional.of(true), Optional.empty()),
            Clock.systemUTC(),
            "test-token");

    assertThatThrownBy(job::decide)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tollgate.github.app-id");
  }

  @Test
  void decide_disabled_isOffWhateverTheCredentials() {
    RedeliveryJob job =
        job(
            settings(10, 50, 3, Optional.of(false), Optional.of("octo-org/hello-world")),
            Clock.systemUTC(),
            "test-token");

    assertThat(job.decide()).isFalse();
  }

  /** Page {@code n} of the listing, linking to page {@code next} unless it is 0. */
  private void page(int n, int next, String rows) {
    var answer =
        aResponse()
            .withStatus(200)
            .withHeader("Content-Type", "application/json; charset=utf-8")
            .withBody(rows);
    if (next > 0) {
      answer =
          answer.withHeader(
              "Link",
              "<"
                  + github.baseUrl()
                  + pageUrl(next)
                  + ">; rel=\"next\", <"
                  + github.baseUrl()
                  + pageUrl(1)
                  + ">; rel=\"first\"");
    }
    github.stubFor(get(urlEqualTo(pageUrl(n))).willReturn(answer));
  }

  /** GitHub's first page has no cursor; later ones carry the cursor its Link header gave. */
  private static String pageUrl(int n) {
    return HOOK + "/deliveries?per_page=100" + (n == 1 ? "" : "&cursor=v1_" + (90000 - n));
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private void listing(String body) {
    github.stubFor(
        get(urlPathEqualTo(HOOK + "/deliveries"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json; charset=utf-8")
                    .withBody(body)));
  }

  private RedeliveryJob job(GatewayConfig.Redelivery settings) {
    return job(settings, Clock.fixed(NOW, ZoneOffset.UTC), "test-token");
  }

  private RedeliveryJob job(GatewayConfig.Redelivery settings, Clock clock, String token) {
    return new RedeliveryJob(
        settings,
        new GitHubCredentials(URI.create(github.baseUrl()), token, null, null, Clock.systemUTC()),
        recent,
        meters,
        clock);
  }

  /** A row shaped as GitHub documents it. */
  private static String row(
      long id, String guid, String at, boolean redelivery, int status, String text) {
    return "{\"id\":"
        + id
        + ",\"guid\":\""
        + guid
        + "\",\"delivered_at\":\""
        + at
        + "\",\"redelivery\":"
        + redelivery
        + ",\"duration\":0.27,\"status\":\""
        + text
        + "\",\"status_code\":"
        + status
        + ",\"event\":\"push\",\"action\":null,\"installation_id\":null,\"repository_id\":456,"
        + "\"throttled_at\":null}";
  }

  private static GatewayConfig.Redelivery settings(int pages, int perRun, int perDelivery) {
    return settings(
        pages, perRun, perDelivery, Optional.empty(), Optional.of("octo-org/hello-world"));
  }

  private static GatewayConfig.Redelivery settings(
      int pages,
      int perRun,
      int perDelivery,
      Optional<Boolean> enabled,
      Optional<String> repository) {
    return new GatewayConfig.Redelivery() {
      @Override
      public Optional<Boolean> enabled() {
        return enabled;
      }

      @Override
      public Optional<String> repository() {
        return repository;
      }

      @Override
      public Optional<Long> hookId() {
        return Optional.of(292093104L);
      }

      @Override
      public Duration every() {
        return Duration.ofMinutes(5);
      }

      @Override
      public Duration lookback() {
        return Duration.ofHours(72);
      }

      @Override
      public int maxPages() {
        return pages;
      }

      @Override
      public int maxRedeliveries() {
        return perRun;
      }

      @Override
      public int maxAttemptsPerDelivery() {
        return perDelivery;
      }

      @Override
      public Duration backoff() {
        return Duration.ofMillis(10);
      }

      @Override
      public Duration pace() {
        return Duration.ZERO;
      }

      @Override
      public double budgetShare() {
        return 0.5;
      }
    };
  }
}
