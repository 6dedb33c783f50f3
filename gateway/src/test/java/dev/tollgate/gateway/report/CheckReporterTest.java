package dev.tollgate.gateway.report;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.tollgate.gateway.report.GitHubChecksStubs.REPOSITORY;
import static dev.tollgate.gateway.report.GitHubChecksStubs.SHA;
import static dev.tollgate.gateway.report.GitHubChecksStubs.TRIGGER;
import static dev.tollgate.gateway.report.GitHubChecksStubs.checkRun;
import static dev.tollgate.gateway.report.GitHubChecksStubs.checkRuns;
import static dev.tollgate.gateway.report.GitHubChecksStubs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reports retried, deduplicated and counted, against a fake GitHub: one check per trigger whatever
 * is redelivered, failures retried with backoff, a rate limit waited out, a refusal counted and not
 * retried.
 */
class CheckReporterTest {

  private static final String LIST = "/repos/" + REPOSITORY + "/commits/" + SHA + "/check-runs";
  private static final String CREATE = "/repos/" + REPOSITORY + "/check-runs";

  private WireMockServer github;
  private MeterRegistry meters;
  private CheckReporter reporter;

  @BeforeEach
  void start() {
    github = new WireMockServer(wireMockConfig().dynamicPort());
    github.start();
    meters = new SimpleMeterRegistry();
    GitHubChecks checks =
        new GitHubChecks(
            URI.create(github.baseUrl()),
            "tollgate",
            true,
            t -> "token ghs_test",
            Duration.ofSeconds(5),
            Clock.systemUTC(),
            HttpClient.newHttpClient());
    reporter =
        new CheckReporter(
            checks,
            new CheckReporter.Settings(
                10,
                Duration.ofMillis(20),
                Duration.ofMillis(200),
                100,
                1000,
                Duration.ofHours(1),
                2),
            meters);
  }

  @AfterEach
  void stop() {
    reporter.close();
    github.stop();
  }

  private double count(String outcome) {
    return meters.counter(CheckReporter.METRIC, "outcome", outcome).count();
  }

  /** GitHub's list shows no check until one was created, then that one. */
  private void checkCreatedOnce() {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("check")
            .whenScenarioStateIs(STARTED)
            .willReturn(json(200, checkRuns())));
    github.stubFor(
        post(urlPathEqualTo(CREATE))
            .inScenario("check")
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("created")
            .willReturn(json(201, checkRun(4, "tollgate", TRIGGER, "queued", null, "Accepted"))));
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("check")
            .whenScenarioStateIs("created")
            .willReturn(
                json(
                    200,
                    checkRuns(
                        checkRun(
                            4,
                            "tollgate",
                            TRIGGER,
                            "queued",
                            null,
                            "Accepted, waiting for the decision")))));
    github.stubFor(patch(urlPathEqualTo(CREATE + "/4")).willReturn(json(200, "{\"id\":4}")));
  }

  @Test
  void accepted_redeliveredTrigger_createsOneCheckAndUpdatesItWithTheDecision() {
    checkCreatedOnce();

    reporter.accepted(ReportEvents.trigger());
    reporter.accepted(ReportEvents.trigger());
    reporter.decided(ReportEvents.denied());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    github.verify(1, postRequestedFor(urlPathEqualTo(CREATE)));
    github.verify(1, patchRequestedFor(urlPathEqualTo(CREATE + "/4")));
    assertThat(count("created")).isEqualTo(1);
    assertThat(count("stale")).isEqualTo(1);
    assertThat(count("updated")).isEqualTo(1);
  }

  @Test
  void decided_beforeItsTriggerIsKnown_isReportedOnceTheTriggerIsRemembered() {
    checkCreatedOnce();

    reporter.decided(ReportEvents.denied());
    await().atMost(Duration.ofSeconds(30)).until(() -> count("retried") >= 1);
    reporter.remember(ReportEvents.trigger());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    assertThat(count("created")).isEqualTo(1);
    github.verify(1, postRequestedFor(urlPathEqualTo(CREATE)));
  }

  @Test
  void decided_triggerNamingNoCommit_isNotApplicableAtOnce() {
    TriggerEvent comment =
        new TriggerEvent(
            GitHubChecksStubs.TRIGGER,
            TriggerEvent.Source.GITHUB,
            ReportEvents.AT,
            "issue_comment",
            "created",
            REPOSITORY,
            null,
            null,
            null,
            null,
            new TriggerEvent.Sender("octocat", 21031067),
            new TriggerEvent.GitHubDelivery("0b1c2d3e-6b8e-11ef-8a8e-1e2d3c4b5a69", null, null),
            "sha256:" + "5".repeat(64),
            310,
            null,
            true);
    reporter.remember(comment);

    reporter.decided(ReportEvents.denied());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    assertThat(count("not_applicable")).isEqualTo(1);
    assertThat(count("retried")).isZero();
    github.verify(0, getRequestedFor(urlPathEqualTo(LIST)));
  }

  @Test
  void decided_triggerNeverSeen_isGivenUpAndCounted() {
    reporter.decided(ReportEvents.denied());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    assertThat(count("no_target")).isEqualTo(1);
    github.verify(0, getRequestedFor(urlPathEqualTo(LIST)));
  }

  @Test
  void accepted_gitHubFailsThenRecovers_isRetriedAndReported() {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("outage")
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("recovered")
            .willReturn(json(502, "{\"message\":\"Server Error\"}")));
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("outage")
            .whenScenarioStateIs("recovered")
            .willReturn(json(200, checkRuns())));
    github.stubFor(post(urlPathEqualTo(CREATE)).willReturn(json(201, "{\"id\":4}")));

    reporter.accepted(ReportEvents.trigger());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    assertThat(count("retried")).isEqualTo(1);
    assertThat(count("created")).isEqualTo(1);
  }

  @Test
  void accepted_secondaryRateLimit_waitsWhatGitHubAsksThenReports() {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("limit")
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("lifted")
            .willReturn(GitHubChecksStubs.secondaryLimit(403, 1)));
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("limit")
            .whenScenarioStateIs("lifted")
            .willReturn(json(200, checkRuns())));
    github.stubFor(post(urlPathEqualTo(CREATE)).willReturn(json(201, "{\"id\":4}")));

    reporter.accepted(ReportEvents.trigger());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    assertThat(
            meters
                .counter(
                    "tollgate.gateway.checks.rate_limited",
                    "reason",
                    ReportFailedException.SECONDARY_RATE_LIMITED)
                .count())
        .isEqualTo(1);
    assertThat(count("created")).isEqualTo(1);
  }

  @Test
  void accepted_refusedByGitHub_isCountedAndNotRetried() {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .willReturn(
                json(
                    404,
                    "{\"message\":\"Not Found\",\"documentation_url\":"
                        + "\"https://docs.github.com/rest/checks/runs\",\"status\":\"404\"}")));

    reporter.accepted(ReportEvents.trigger());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    assertThat(count("failed")).isEqualTo(1);
    assertThat(count("retried")).isZero();
    github.verify(1, getRequestedFor(urlPathEqualTo(LIST)));
  }

  private static final LedgerEntry RECORDED = new LedgerEntry(42, "sha256:" + "ab".repeat(32));

  private static com.github.tomakehurst.wiremock.matching.RequestPatternBuilder patchWith(
      String title, boolean seq) {
    var request =
        patchRequestedFor(urlPathEqualTo(CREATE + "/4"))
            .withRequestBody(matchingJsonPath("$.output.title", containing(title)));
    return seq
        ? request.withRequestBody(matchingJsonPath("$.output.summary", containing("at seq 42")))
        : request.withRequestBody(
            matchingJsonPath("$.output.summary", notContaining("Tollgate's ledger at seq")));
  }

  @Test
  void recorded_beforeTheDecision_decisionShowsTheSeq() {
    checkCreatedOnce();

    reporter.accepted(ReportEvents.trigger());
    reporter.recorded(TRIGGER, RECORDED);
    reporter.decided(ReportEvents.denied());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    github.verify(1, patchWith("Denied", true));
    github.verify(0, patchWith("Denied", false));
  }

  @Test
  void recorded_afterTheDecisionWasReported_updatesTheCheckInPlaceWithTheSeq() {
    checkCreatedOnce();
    reporter.accepted(ReportEvents.trigger());
    reporter.decided(ReportEvents.denied());
    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    github.verify(1, patchWith("Denied", false));

    reporter.recorded(TRIGGER, RECORDED);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> github.verify(1, patchWith("Denied", true)));
    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    github.verify(1, postRequestedFor(urlPathEqualTo(CREATE)));
  }

  @Test
  void recorded_afterTheRunEnded_keepsTheRunsOutcomeAndAddsTheSeq() {
    checkCreatedOnce();
    reporter.accepted(ReportEvents.trigger());
    reporter.decided(ReportEvents.admitted());
    reporter.runChanged(ReportEvents.runEnded(dev.tollgate.schemas.event.RunEvent.Phase.FAILED));
    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);

    reporter.recorded(TRIGGER, RECORDED);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> github.verify(1, patchWith("Run failed", true)));
    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    // The decision is not shown again over the run's end.
    github.verify(1, patchWith("Admitted", false));
    github.verify(0, patchWith("Admitted", true));
  }

  @Test
  void recorded_secondRecordOfTheTrigger_isIgnored() {
    checkCreatedOnce();
    reporter.accepted(ReportEvents.trigger());
    reporter.recorded(TRIGGER, RECORDED);
    reporter.recorded(TRIGGER, new LedgerEntry(7, "sha256:" + "cd".repeat(32)));
    reporter.decided(ReportEvents.denied());

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    github.verify(1, patchWith("Denied", true));
    github.verify(
        0,
        patchRequestedFor(urlPathEqualTo(CREATE + "/4"))
            .withRequestBody(matchingJsonPath("$.output.summary", containing("at seq 7 "))));
  }

  @Test
  void done_everyReportThatEnds_isSignalledOnce() {
    checkCreatedOnce();
    java.util.concurrent.atomic.AtomicInteger done =
        new java.util.concurrent.atomic.AtomicInteger();

    reporter.accepted(ReportEvents.trigger(), done::incrementAndGet);
    reporter.decided(ReportEvents.denied(), done::incrementAndGet);
    reporter.runChanged(
        ReportEvents.runEnded(dev.tollgate.schemas.event.RunEvent.Phase.STARTED),
        done::incrementAndGet);

    await().atMost(Duration.ofSeconds(30)).until(() -> reporter.pending() == 0);
    assertThat(done.get()).isEqualTo(3);
  }
}
