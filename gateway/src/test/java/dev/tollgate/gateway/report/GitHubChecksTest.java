package dev.tollgate.gateway.report;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.tollgate.gateway.report.GitHubChecksStubs.REPOSITORY;
import static dev.tollgate.gateway.report.GitHubChecksStubs.SHA;
import static dev.tollgate.gateway.report.GitHubChecksStubs.TRIGGER;
import static dev.tollgate.gateway.report.GitHubChecksStubs.checkRun;
import static dev.tollgate.gateway.report.GitHubChecksStubs.checkRuns;
import static dev.tollgate.gateway.report.GitHubChecksStubs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.schemas.event.RunEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Check runs and commit statuses against a fake GitHub answering with the documented shapes,
 * including its rate-limit answers.
 */
class GitHubChecksTest {

  private static final String TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
  private static final Instant NOW = Instant.parse("2026-11-22T09:14:10Z");
  private static final String LIST = "/repos/" + REPOSITORY + "/commits/" + SHA + "/check-runs";
  private static final String CREATE = "/repos/" + REPOSITORY + "/check-runs";
  private static final String STATUSES = "/repos/" + REPOSITORY + "/commits/" + SHA + "/statuses";

  private WireMockServer github;
  private CheckTarget target;

  @BeforeEach
  void start() {
    github = new WireMockServer(wireMockConfig().dynamicPort());
    github.start();
    target = CheckTarget.of(ReportEvents.trigger()).orElseThrow();
  }

  @AfterEach
  void stop() {
    github.stop();
  }

  private GitHubChecks checks(boolean checkRuns) {
    return new GitHubChecks(
        URI.create(github.baseUrl()),
        "tollgate",
        checkRuns,
        t -> "token " + TOKEN,
        Duration.ofSeconds(5),
        Clock.fixed(NOW, ZoneOffset.UTC),
        HttpClient.newHttpClient());
  }

  @Test
  void report_noCheckRunForTrigger_createsOneOnTheHeadCommitNamedByTriggerId() throws Exception {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .withQueryParam("check_name", equalTo("tollgate"))
            .withQueryParam("filter", equalTo("all"))
            .willReturn(
                json(
                    200,
                    checkRuns(
                        checkRun(3, "tollgate", "github:another-trigger", "queued", null, "x")))));
    github.stubFor(
        post(urlPathEqualTo(CREATE))
            .willReturn(json(201, checkRun(4, "tollgate", TRIGGER, "queued", null, "Accepted"))));

    GitHubChecks.Written written =
        checks(true).report(target, TRIGGER, CheckReports.accepted(ReportEvents.trigger()));

    assertThat(written).isEqualTo(GitHubChecks.Written.CREATED);
    github.verify(
        postRequestedFor(urlPathEqualTo(CREATE))
            .withHeader("Authorization", equalTo("token " + TOKEN))
            .withHeader("Accept", equalTo("application/vnd.github+json"))
            .withRequestBody(matchingJsonPath("$.name", equalTo("tollgate")))
            .withRequestBody(matchingJsonPath("$.head_sha", equalTo(SHA)))
            .withRequestBody(matchingJsonPath("$.external_id", equalTo(TRIGGER)))
            .withRequestBody(matchingJsonPath("$.status", equalTo("queued")))
            .withRequestBody(matchingJsonPath("$.output.title")));
  }

  @Test
  void report_checkRunOfTriggerExists_updatesItInPlace() throws Exception {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .willReturn(
                json(
                    200, checkRuns(checkRun(4, "tollgate", TRIGGER, "queued", null, "Accepted")))));
    github.stubFor(
        patch(urlPathEqualTo(CREATE + "/4"))
            .willReturn(
                json(200, checkRun(4, "tollgate", TRIGGER, "completed", "failure", "Denied"))));

    GitHubChecks.Written written =
        checks(true).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied()));

    assertThat(written).isEqualTo(GitHubChecks.Written.UPDATED);
    github.verify(0, postRequestedFor(urlPathEqualTo(CREATE)));
    github.verify(
        patchRequestedFor(urlPathEqualTo(CREATE + "/4"))
            .withRequestBody(matchingJsonPath("$.status", equalTo("completed")))
            .withRequestBody(matchingJsonPath("$.conclusion", equalTo("failure")))
            .withRequestBody(matchingJsonPath("$.completed_at", equalTo(NOW.toString())))
            .withRequestBody(
                matchingJsonPath("$.output.title", equalTo("Denied: SIGNATURE_MISSING")))
            .withRequestBody(
                matchingJsonPath(
                    "$.output.summary",
                    com.github.tomakehurst.wiremock.client.WireMock.containing(
                        "Sign the bundle with cosign"))));
  }

  @Test
  void report_runEndAlreadyShown_leavesTheCheckAsItIs() throws Exception {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .willReturn(
                json(
                    200,
                    checkRuns(
                        checkRun(
                            4,
                            "tollgate",
                            TRIGGER,
                            "completed",
                            "failure",
                            "Run failed: PipelineRun team-payments/tollgate-0b1c2d3e")))));

    GitHubChecks.Written late =
        checks(true).report(target, TRIGGER, CheckReports.decided(ReportEvents.admitted()));
    GitHubChecks.Written queued =
        checks(true).report(target, TRIGGER, CheckReports.accepted(ReportEvents.trigger()));

    assertThat(late).isEqualTo(GitHubChecks.Written.STALE);
    assertThat(queued).isEqualTo(GitHubChecks.Written.STALE);
    github.verify(0, patchRequestedFor(urlPathMatching(".*")));
    github.verify(0, postRequestedFor(urlPathMatching(".*")));
  }

  @Test
  void report_decisionAfterRunStartedElsewhere_updatesWithTheRunsEnd() throws Exception {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .willReturn(
                json(
                    200,
                    checkRuns(
                        checkRun(
                            4,
                            "tollgate",
                            TRIGGER,
                            "completed",
                            "success",
                            "Admitted: PipelineRun team-payments/tollgate-0b1c2d3e")))));
    github.stubFor(patch(urlPathEqualTo(CREATE + "/4")).willReturn(json(200, "{\"id\":4}")));

    GitHubChecks.Written written =
        checks(true)
            .report(
                target,
                TRIGGER,
                CheckReports.runChanged(ReportEvents.runEnded(RunEvent.Phase.FAILED))
                    .orElseThrow());

    assertThat(written).isEqualTo(GitHubChecks.Written.UPDATED);
    github.verify(
        patchRequestedFor(urlPathEqualTo(CREATE + "/4"))
            .withRequestBody(matchingJsonPath("$.conclusion", equalTo("failure")))
            .withRequestBody(
                matchingJsonPath(
                    "$.output.title",
                    equalTo("Run failed: PipelineRun team-payments/tollgate-0b1c2d3e"))));
  }

  @Test
  void report_noCheckRunAndMayNotCreate_failsRetryablyWithoutCreating() {
    github.stubFor(get(urlPathEqualTo(LIST)).willReturn(json(200, checkRuns())));

    ReportFailedException failure =
        catchThrowableOfType(
            ReportFailedException.class,
            () ->
                checks(true)
                    .report(target, TRIGGER, CheckReports.decided(ReportEvents.denied()), false));

    assertThat(failure.retryable()).isTrue();
    github.verify(0, postRequestedFor(urlPathEqualTo(CREATE)));
  }

  @Test
  void report_primaryRateLimitSpent_failsRetryablyUntilTheReset() {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .willReturn(GitHubChecksStubs.rateLimitSpent(NOW.getEpochSecond() + 120)));

    ReportFailedException failure =
        catchThrowableOfType(
            ReportFailedException.class,
            () ->
                checks(true).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied())));

    assertThat(failure.reason()).isEqualTo(ReportFailedException.RATE_LIMITED);
    assertThat(failure.retryable()).isTrue();
    assertThat(failure.waitAsked()).contains(Duration.ofSeconds(121));
    assertThat(failure.getMessage()).doesNotContain(TOKEN);
  }

  @Test
  void report_tokenOnlyRunEndShownSinceTheDecision_leavesTheStatus() throws Exception {
    // Newest first, as GitHub lists them: the run's end (after the decision), then the decision.
    github.stubFor(
        get(urlPathEqualTo(STATUSES))
            .willReturn(
                json(
                    200,
                    "["
                        + GitHubChecksStubs.status(
                            "failure", "Run failed: PipelineRun a/b", "2026-11-22T09:20:00Z")
                        + ","
                        + GitHubChecksStubs.status("success", "Admitted", "2026-11-22T09:14:09Z")
                        + "]")));

    GitHubChecks.Written late =
        checks(false).report(target, TRIGGER, CheckReports.decided(ReportEvents.admitted()));

    assertThat(late).isEqualTo(GitHubChecks.Written.STALE);
    github.verify(0, postRequestedFor(urlPathMatching(".*")));
  }

  @Test
  void report_tokenOnlyOlderRunEndShown_writesTheNewDecision() throws Exception {
    // A run of an earlier trigger on the same commit ended before this trigger was decided.
    github.stubFor(
        get(urlPathEqualTo(STATUSES))
            .willReturn(
                json(
                    200,
                    "["
                        + GitHubChecksStubs.status(
                            "success", "Run succeeded: PipelineRun a/b", "2026-11-22T09:00:00Z")
                        + "]")));
    github.stubFor(
        post(urlPathEqualTo("/repos/" + REPOSITORY + "/statuses/" + SHA))
            .willReturn(
                json(201, GitHubChecksStubs.status("failure", "Denied", "2026-11-22T09:14:09Z"))));

    GitHubChecks.Written written =
        checks(false).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied()));

    assertThat(written).isEqualTo(GitHubChecks.Written.STATUS);
  }

  @Test
  void report_secondaryLimitWithRetryAfter_failsRetryablyForRetryAfter() {
    github.stubFor(get(urlPathEqualTo(STATUSES)).willReturn(json(200, "[]")));
    github.stubFor(
        post(urlPathEqualTo("/repos/" + REPOSITORY + "/statuses/" + SHA))
            .willReturn(GitHubChecksStubs.secondaryLimit(429, 37)));

    ReportFailedException failure =
        catchThrowableOfType(
            ReportFailedException.class,
            () ->
                checks(false).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied())));

    assertThat(failure.reason()).isEqualTo(ReportFailedException.SECONDARY_RATE_LIMITED);
    assertThat(failure.waitAsked()).contains(Duration.ofSeconds(37));
  }

  @Test
  void report_secondaryLimit403WithoutRetryAfter_waitsAtLeastAMinute() {
    github.stubFor(
        get(urlPathEqualTo(LIST)).willReturn(GitHubChecksStubs.secondaryLimit(403, null)));

    ReportFailedException failure =
        catchThrowableOfType(
            ReportFailedException.class,
            () ->
                checks(true).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied())));

    assertThat(failure.reason()).isEqualTo(ReportFailedException.SECONDARY_RATE_LIMITED);
    assertThat(failure.waitAsked()).contains(Duration.ofMinutes(1));
  }

  @Test
  void report_forbiddenWithoutLimit_failsForGood() {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .willReturn(
                json(
                    403,
                    "{\"message\":\"Resource not accessible by integration\","
                        + "\"documentation_url\":\"https://docs.github.com/rest/checks/runs\","
                        + "\"status\":\"403\"}")));

    ReportFailedException failure =
        catchThrowableOfType(
            ReportFailedException.class,
            () ->
                checks(true).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied())));

    assertThat(failure.reason()).isEqualTo(ReportFailedException.UNAUTHORIZED);
    assertThat(failure.retryable()).isFalse();
    assertThat(failure.getMessage()).contains("Resource not accessible by integration");
  }

  @Test
  void report_serverError_failsRetryably() {
    github.stubFor(
        get(urlPathEqualTo(LIST)).willReturn(json(502, "{\"message\":\"Server Error\"}")));

    ReportFailedException failure =
        catchThrowableOfType(
            ReportFailedException.class,
            () ->
                checks(true).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied())));

    assertThat(failure.reason()).isEqualTo(ReportFailedException.UNAVAILABLE);
    assertThat(failure.retryable()).isTrue();
    assertThat(failure.waitAsked()).isEmpty();
  }

  @Test
  void report_tokenOnly_writesACommitStatusOfTheContext() throws Exception {
    github.stubFor(get(urlPathEqualTo(STATUSES)).willReturn(json(200, "[]")));
    github.stubFor(
        post(urlPathEqualTo("/repos/" + REPOSITORY + "/statuses/" + SHA))
            .willReturn(
                json(201, GitHubChecksStubs.status("failure", "Denied", "2026-11-22T09:14:09Z"))));

    GitHubChecks.Written written =
        checks(false).report(target, TRIGGER, CheckReports.decided(ReportEvents.denied()));

    assertThat(written).isEqualTo(GitHubChecks.Written.STATUS);
    github.verify(
        postRequestedFor(urlPathEqualTo("/repos/" + REPOSITORY + "/statuses/" + SHA))
            .withRequestBody(
                equalToJson(
                    "{\"state\":\"failure\",\"description\":\"Denied: SIGNATURE_MISSING\","
                        + "\"context\":\"tollgate\"}")));
  }
}
