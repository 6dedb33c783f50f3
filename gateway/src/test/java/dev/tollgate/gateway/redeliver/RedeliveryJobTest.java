package dev.tollgate.gateway.redeliver;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.github.RecentDeliveries;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.schemas.event.Ids;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
    return new RedeliveryJob(
        settings,
        new GitHubCredentials(
            URI.create(github.baseUrl()), "test-token", null, null, Clock.systemUTC()),
        recent,
        new SimpleMeterRegistry(),
        Clock.fixed(NOW, ZoneOffset.UTC));
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
    return new GatewayConfig.Redelivery() {
      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public Optional<String> repository() {
        return Optional.of("octo-org/hello-world");
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
    };
  }
}
