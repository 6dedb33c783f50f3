package dev.tollgate.gateway.report;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.VerificationException;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.EventSigningKey;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The whole path on a real broker, the gateway configured as a GitHub App against a fake GitHub: a
 * merge queue's merge_group delivery gets a queued check run on the group's head commit; the
 * verifier's signed decision completes it in place; the run watch's signed run event updates it
 * again with the run's end.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = GitHubAppStub.class, restrictToAnnotatedClass = true)
class CommitReportsTest {

  private static final String DELIVERY = "7c0a4e2e-6b8e-11ef-8a8e-1e2d3c4b5a69";
  private static final String SHA = "b3a9e1f7c2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1";
  private static final String REPOSITORY = "octo-org/hello-world";
  private static final String LIST = "/repos/" + REPOSITORY + "/commits/" + SHA + "/check-runs";
  private static final String CREATE = "/repos/" + REPOSITORY + "/check-runs";

  @Inject ReportConsumers consumers;

  @Test
  void mergeGroup_acceptedDecidedRunEnded_oneCheckRunOnTheGroupsHeadUpdatedInPlace()
      throws Exception {
    WireMockServer github = GitHubAppStub.server();
    String trigger = Ids.githubTrigger(DELIVERY);
    stubOneCheckRun(github, trigger);
    await().atMost(Duration.ofSeconds(60)).until(consumers::assigned);

    byte[] body =
        Files.readAllBytes(
            Fixtures.testResource("github/merge_group_checks_requested.payload.json"));
    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "merge_group")
        .header("X-GitHub-Delivery", DELIVERY)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(202);

    awaitRequest(
        github,
        postRequestedFor(urlPathEqualTo(CREATE))
            .withHeader("Authorization", equalTo("token " + GitHubAppStub.INSTALLATION_TOKEN))
            .withRequestBody(matchingJsonPath("$.head_sha", equalTo(SHA)))
            .withRequestBody(matchingJsonPath("$.external_id", equalTo(trigger)))
            .withRequestBody(matchingJsonPath("$.status", equalTo("queued"))));

    String decisionId = "dec-" + "7c0a4e2e6b8e11ef8a8e1e2d3c4b5a69";
    DecisionEvent admitted =
        new DecisionEvent(
            decisionId,
            trigger,
            DecisionEvent.Outcome.ADMITTED,
            REPOSITORY,
            List.of(new dev.tollgate.schemas.event.Reason("BUNDLE_VERIFIED", "verified", null)),
            new DecisionEvent.PolicyRef("merge-queue", "3f1c2a9b8d7e6f50"),
            new DecisionEvent.PipelineRunRef(
                "team-hello",
                "tollgate-7c0a4e2e",
                "registry.example/hello@sha256:" + "a".repeat(64)),
            java.time.Instant.now());
    send(EventType.DECISION, trigger, admitted);

    awaitRequest(
        github,
        patchRequestedFor(urlPathEqualTo(CREATE + "/7"))
            .withRequestBody(matchingJsonPath("$.conclusion", equalTo("success")))
            .withRequestBody(
                matchingJsonPath("$.output.title", containing("PipelineRun team-hello/"))));

    // The ledger's record of the decision: a forged one first (another key, a made-up seq), which
    // is ignored and counted, then the ledger's own, whose seq the check then shows.
    double refusedBefore = refused("unknown_key");
    sendLedger(
        LedgerRecordFixtures.signed(
            LedgerRecordFixtures.decision(
                999, trigger, LedgerRecordFixtures.key("signing/other-events.pem").keyId()),
            "signing/other-events.pem"));
    await().atMost(Duration.ofSeconds(60)).until(() -> refused("unknown_key") > refusedBefore);
    sendLedger(LedgerRecordFixtures.signedDecision(12, trigger));

    awaitRequest(
        github,
        patchRequestedFor(urlPathEqualTo(CREATE + "/7"))
            .withRequestBody(
                matchingJsonPath("$.output.title", containing("PipelineRun team-hello/")))
            .withRequestBody(
                matchingJsonPath("$.output.summary", containing("ledger at seq 12 "))));

    RunEvent failed =
        new RunEvent(
            "8d6f0a52-2d1b-4c8e-9a77-0f1e2d3c4b5a",
            RunEvent.Kind.PIPELINE_RUN,
            "team-hello",
            "tollgate-7c0a4e2e",
            RunEvent.Phase.FAILED,
            true,
            trigger,
            decisionId,
            Map.of(),
            null,
            java.time.Instant.now(),
            null);
    send(EventType.RUN, "8d6f0a52-2d1b-4c8e-9a77-0f1e2d3c4b5a", failed);

    awaitRequest(
        github,
        patchRequestedFor(urlPathEqualTo(CREATE + "/7"))
            .withRequestBody(matchingJsonPath("$.conclusion", equalTo("failure")))
            .withRequestBody(matchingJsonPath("$.output.title", containing("Run failed")))
            .withRequestBody(
                matchingJsonPath("$.output.summary", containing("ledger at seq 12 "))));
    github.verify(1, postRequestedFor(urlPathEqualTo(CREATE)).withRequestBody(containing(trigger)));
    github.verify(
        0, patchRequestedFor(urlPathEqualTo(CREATE + "/7")).withRequestBody(containing("seq 999")));
  }

  private static final String RESTART_DELIVERY = "5e2f1a0c-6b8e-11ef-8a8e-1e2d3c4b5a69";
  private static final String RESTART_SHA = "c4b0f2a8d3e5f7a9b1c2d3e4f5a6b7c8d9e0f1a2";

  @Test
  void accepted_gitHubFailingAcrossARestart_isReportedOnceAfterIt() throws Exception {
    WireMockServer github = GitHubAppStub.server();
    String trigger = Ids.githubTrigger(RESTART_DELIVERY);
    String list = "/repos/" + REPOSITORY + "/commits/" + RESTART_SHA + "/check-runs";
    github.stubFor(
        get(urlPathEqualTo(list))
            .inScenario("restart")
            .whenScenarioStateIs(STARTED)
            .willReturn(GitHubChecksStubs.json(200, GitHubChecksStubs.checkRuns())));
    github.stubFor(
        get(urlPathEqualTo(list))
            .inScenario("restart")
            .whenScenarioStateIs("up")
            .willReturn(GitHubChecksStubs.json(200, GitHubChecksStubs.checkRuns())));
    github.stubFor(
        post(urlPathEqualTo(CREATE))
            .withRequestBody(matchingJsonPath("$.head_sha", equalTo(RESTART_SHA)))
            .inScenario("restart")
            .whenScenarioStateIs(STARTED)
            .willReturn(GitHubChecksStubs.json(502, "{\"message\":\"Server Error\"}")));
    github.stubFor(
        post(urlPathEqualTo(CREATE))
            .withRequestBody(matchingJsonPath("$.head_sha", equalTo(RESTART_SHA)))
            .inScenario("restart")
            .whenScenarioStateIs("up")
            .willSetStateTo("created")
            .willReturn(GitHubChecksStubs.json(201, "{\"id\":9}")));
    github.stubFor(
        get(urlPathEqualTo(list))
            .inScenario("restart")
            .whenScenarioStateIs("created")
            .willReturn(
                GitHubChecksStubs.json(
                    200,
                    GitHubChecksStubs.checkRuns(
                        GitHubChecksStubs.checkRun(
                            9, "tollgate", trigger, "queued", null, "Accepted")))));
    await().atMost(Duration.ofSeconds(60)).until(consumers::assigned);

    byte[] body =
        Files.readString(Fixtures.testResource("github/merge_group_checks_requested.payload.json"))
            .replace(SHA, RESTART_SHA)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    given()
        .contentType("application/json")
        .header("X-Hub-Signature-256", Fixtures.sign(Fixtures.SECRET, body))
        .header("X-GitHub-Event", "merge_group")
        .header("X-GitHub-Delivery", RESTART_DELIVERY)
        .body(body)
        .post("/webhooks/github")
        .then()
        .statusCode(202);
    com.github.tomakehurst.wiremock.matching.RequestPatternBuilder create =
        postRequestedFor(urlPathEqualTo(CREATE))
            .withRequestBody(matchingJsonPath("$.head_sha", equalTo(RESTART_SHA)));
    // GitHub answers 502: the report waits to be retried when the replica stops.
    awaitRequest(github, create);

    consumers.restart();
    github.setScenarioState("restart", "up");

    await().atMost(Duration.ofSeconds(90)).until(() -> createdAnswers(github, 201) == 1);
    await().atMost(Duration.ofSeconds(60)).until(consumers::assigned);
    assertThat(createdAnswers(github, 201)).isEqualTo(1);
    assertThat(createdAnswers(github, 502)).isPositive();
  }

  /** The create requests for the restart's commit GitHub answered with {@code status}. */
  private static long createdAnswers(WireMockServer github, int status) {
    return github.getAllServeEvents().stream()
        .filter(e -> e.getRequest().getMethod().getName().equals("POST"))
        .filter(e -> e.getRequest().getUrl().equals(CREATE))
        .filter(e -> e.getRequest().getBodyAsString().contains(RESTART_SHA))
        .filter(e -> e.getResponse().getStatus() == status)
        .count();
  }

  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  private double refused(String reason) {
    return meters.counter(ReportConsumers.LEDGER_REFUSED_METRIC, "reason", reason).count();
  }

  /** Appends a record to the ledger topic, as the ledger writer does (no key, one partition). */
  private static void sendLedger(byte[] value) throws Exception {
    Properties props = new Properties();
    props.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>("tollgate.ledger.v1", 0, null, value)).get();
    }
  }

  private static void stubOneCheckRun(WireMockServer github, String trigger) {
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("check")
            .whenScenarioStateIs(STARTED)
            .willReturn(GitHubChecksStubs.json(200, GitHubChecksStubs.checkRuns())));
    github.stubFor(
        post(urlPathEqualTo(CREATE))
            .inScenario("check")
            .whenScenarioStateIs(STARTED)
            .willSetStateTo("created")
            .willReturn(GitHubChecksStubs.json(201, "{\"id\":7}")));
    github.stubFor(
        get(urlPathEqualTo(LIST))
            .inScenario("check")
            .whenScenarioStateIs("created")
            .willReturn(
                GitHubChecksStubs.json(
                    200,
                    GitHubChecksStubs.checkRuns(
                        GitHubChecksStubs.checkRun(
                            7, "tollgate", trigger, "queued", null, "Accepted")))));
    github.stubFor(
        patch(urlPathEqualTo(CREATE + "/7")).willReturn(GitHubChecksStubs.json(200, "{\"id\":7}")));
  }

  private static void awaitRequest(
      WireMockServer github,
      com.github.tomakehurst.wiremock.matching.RequestPatternBuilder request) {
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreException(VerificationException.class)
        .untilAsserted(() -> github.verify(request));
  }

  /** Writes an event as its component does: CloudEvents headers, signed with the trusted key. */
  private static void send(EventType type, String key, Object event) throws Exception {
    EventSigningKey signer =
        EventSigningKey.read(Fixtures.testResource("signing/other-events.pem"));
    byte[] value = Json.writeBytes(event);
    Headers headers =
        KafkaCloudEvents.headers(
            CloudEventAttributes.of(
                type, key, URI.create("urn:tollgate:test"), REPOSITORY, java.time.Instant.now()));
    EventSignatures.sign(headers, value, signer);
    Properties props = new Properties();
    props.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(type.defaultTopic(), null, key, value, headers)).get();
    }
  }
}
