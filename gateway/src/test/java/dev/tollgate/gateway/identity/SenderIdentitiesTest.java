package dev.tollgate.gateway.identity;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.gateway.github.DeliveryHeaders;
import dev.tollgate.gateway.github.TriggerNormalizerAccess;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.event.TriggerEvent.Permission;
import dev.tollgate.schemas.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who sent a delivery, against a fake GitHub API with GitHub's response shapes. */
class SenderIdentitiesTest {

  private static final String TOKEN = "ghp_test-token-not-a-real-one";
  private static final String FORK_HEAD = "2f1d7c2e8a3b4c5d6e7f8091a2b3c4d5e6f70819";

  /** GitHub's issue_comment example comment was written at 2019-05-15T15:20:21Z. */
  private static final String COMMENTED_AT_PLUS_1S = "2019-05-15T15:20:22Z";

  private static final String COMMENTED_AT_PLUS_1M = "2019-05-15T15:21:21Z";

  private WireMockServer github;
  private SimpleMeterRegistry meters;
  private SenderIdentities identities;

  @BeforeEach
  void start() throws Exception {
    github = new WireMockServer(wireMockConfig().dynamicPort());
    github.start();
    GitHubApiStubs.repository(github);
    meters = new SimpleMeterRegistry();
    identities = identities(TOKEN, Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    github.stop();
  }

  private SenderIdentities identities(String token, Duration timeout) {
    GitHubCredentials credentials =
        new GitHubCredentials(URI.create(github.baseUrl()), token, null, null, Clock.systemUTC());
    GitHubApi api =
        new GitHubApi(
            credentials, timeout, Duration.ofMinutes(5), Duration.ofSeconds(30), 100, meters);
    return new SenderIdentities(api, "/ok-to-test", meters);
  }

  @Test
  void identify_pullRequestFromFork_recordsForkAssociationAndPermission() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "read", "read");
    ObjectNode payload = payload("pull_request_opened.payload.json");
    ((ObjectNode) payload.at("/pull_request/head/repo")).put("full_name", "drive-by/Hello-World");
    ((ObjectNode) payload.get("pull_request")).put("author_association", "FIRST_TIME_CONTRIBUTOR");

    TriggerEvent trigger = identify("pull_request", payload);

    assertThat(trigger.identity())
        .isEqualTo(TriggerEvent.Identity.verified("FIRST_TIME_CONTRIBUTOR", true, Permission.READ));
    assertThat(trigger.pullRequest())
        .isEqualTo(new TriggerEvent.PullRequest(2, "drive-by/Hello-World"));
    assertThat(trigger.approval()).isNull();
    github.verify(
        getRequestedFor(
                urlPathEqualTo("/repos/Codertocat/Hello-World/collaborators/Codertocat/permission"))
            .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
  }

  @Test
  void identify_pullRequestSameRepository_isNotFromFork() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "admin", "admin");

    TriggerEvent trigger = identify("pull_request", payload("pull_request_opened.payload.json"));

    assertThat(trigger.identity())
        .isEqualTo(TriggerEvent.Identity.verified("OWNER", false, Permission.ADMIN));
  }

  @Test
  void identify_push_hasNoAssociationAndIsNotFromFork() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "write", "maintain");

    TriggerEvent trigger = identify("push", payload("push_payload.json"));

    assertThat(trigger.identity())
        .isEqualTo(TriggerEvent.Identity.verified(null, false, Permission.WRITE));
  }

  @Test
  void identify_apiFails_emitsUnverifiedWithReason() throws Exception {
    github.stubFor(
        get(urlPathEqualTo("/repos/Codertocat/Hello-World/collaborators/Codertocat/permission"))
            .willReturn(aResponse().withStatus(502)));

    TriggerEvent trigger = identify("push", payload("push_payload.json"));

    assertThat(trigger.identity().verified()).isFalse();
    assertThat(trigger.identity().permission()).isNull();
    assertThat(trigger.identity().unverifiedReason()).isEqualTo("GITHUB_API_UNAVAILABLE");
    assertThat(trigger.headSha()).isEqualTo("0000000000000000000000000000000000000000");
  }

  @Test
  void identify_apiTooSlow_emitsUnverifiedAsTimeout() throws Exception {
    github.stubFor(
        get(urlPathEqualTo("/repos/Codertocat/Hello-World/collaborators/Codertocat/permission"))
            .willReturn(aResponse().withStatus(200).withFixedDelay(10_000)));
    SenderIdentities impatient = identities(TOKEN, Duration.ofMillis(500));
    long start = System.nanoTime();

    TriggerEvent trigger =
        impatient.identify(
            normalize("push", payload("push_payload.json")), payload("push_payload.json"));

    assertThat(trigger.identity().unverifiedReason()).isEqualTo("GITHUB_API_TIMEOUT");
    // Far below the stub's 10 s delay, with room for a loaded machine: the bound, not the stub,
    // ended the call.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
  }

  @Test
  void identify_tokenRefused_emitsUnverifiedAsUnauthorized() throws Exception {
    github.stubFor(
        get(urlPathEqualTo("/repos/Codertocat/Hello-World"))
            .willReturn(
                GitHubApiStubs.json(
                    401,
                    "{\"message\":\"Bad credentials\",\"documentation_url\":"
                        + "\"https://docs.github.com/rest\",\"status\":\"401\"}")));

    TriggerEvent trigger = identify("push", payload("push_payload.json"));

    assertThat(trigger.identity().unverifiedReason()).isEqualTo("GITHUB_API_UNAUTHORIZED");
  }

  @Test
  void identify_notConfigured_emitsUnverifiedAsNotConfigured() throws Exception {
    SenderIdentities unconfigured = identities(null, Duration.ofSeconds(1));

    TriggerEvent trigger =
        unconfigured.identify(
            normalize("push", payload("push_payload.json")), payload("push_payload.json"));

    assertThat(trigger.identity().unverifiedReason()).isEqualTo("GITHUB_API_NOT_CONFIGURED");
    assertThat(github.getAllServeEvents()).isEmpty();
  }

  @Test
  void identify_twice_asksTheApiOnceThenHitsTheCache() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "write", "write");

    identify("push", payload("push_payload.json"));
    identify("push", payload("push_payload.json"));

    github.verify(
        1,
        getRequestedFor(
            urlPathEqualTo("/repos/Codertocat/Hello-World/collaborators/Codertocat/permission")));
    assertThat(meters.get("cache.gets").tag("result", "hit").functionCounter().count())
        .isEqualTo(1.0);
  }

  @Test
  void identify_failureTwice_isRememberedForTheNegativeTtl() throws Exception {
    github.stubFor(
        get(urlPathEqualTo("/repos/Codertocat/Hello-World/collaborators/Codertocat/permission"))
            .willReturn(aResponse().withStatus(503)));

    identify("push", payload("push_payload.json"));
    TriggerEvent second = identify("push", payload("push_payload.json"));

    assertThat(second.identity().unverifiedReason()).isEqualTo("GITHUB_API_UNAVAILABLE");
    github.verify(
        1,
        getRequestedFor(
            urlPathEqualTo("/repos/Codertocat/Hello-World/collaborators/Codertocat/permission")));
  }

  @Test
  void identify_okToTestByWriter_approvesTheHeadTheApiReportsNow() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "write", "write");
    // Writing the comment (created_at 15:20:21Z) updated the pull request a second later.
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World", COMMENTED_AT_PLUS_1S);

    TriggerEvent trigger = identify("issue_comment", okToTestComment("  /ok-to-test  "));

    assertThat(trigger.approval())
        .isEqualTo(new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 492700400));
    assertThat(trigger.headSha()).isEqualTo(FORK_HEAD);
    assertThat(trigger.pullRequest())
        .isEqualTo(new TriggerEvent.PullRequest(2, "drive-by/Hello-World"));
    assertThat(trigger.identity())
        .isEqualTo(TriggerEvent.Identity.verified("MEMBER", true, Permission.WRITE));
  }

  @Test
  void identify_okToTestNamingTheHead_bindsToTheHeadWhateverItsUpdateTime() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "write", "write");
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World", COMMENTED_AT_PLUS_1M);

    TriggerEvent trigger =
        identify("issue_comment", okToTestComment("LGTM\r\n/ok-to-test 2F1D7C2e\r\n"));

    assertThat(trigger.approval())
        .isEqualTo(
            new TriggerEvent.Approval(
                TriggerEvent.Approval.Kind.OK_TO_TEST, 492700400, "2f1d7c2e", null));
    assertThat(trigger.approval().bound()).isTrue();
    assertThat(trigger.headSha()).isEqualTo(FORK_HEAD);
  }

  @Test
  void identify_okToTestNamingAFullSha_bindsWhenItIsTheHead() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "write", "write");
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World", COMMENTED_AT_PLUS_1M);

    TriggerEvent trigger = identify("issue_comment", okToTestComment("/ok-to-test " + FORK_HEAD));

    assertThat(trigger.approval().bound()).isTrue();
    assertThat(trigger.approval().requestedSha()).isEqualTo(FORK_HEAD);
  }

  @Test
  void identify_okToTestNamingAnOlderSha_refusedAsHeadNotRequestedSha() throws Exception {
    // The maintainer reviewed 0a1b2c3; the author pushed 2f1d7c2 before the gateway asked.
    GitHubApiStubs.permission(github, "Codertocat", "write", "write");
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World", COMMENTED_AT_PLUS_1S);

    TriggerEvent trigger = identify("issue_comment", okToTestComment("/ok-to-test 0a1b2c3d"));

    assertThat(trigger.approval())
        .isEqualTo(
            new TriggerEvent.Approval(
                TriggerEvent.Approval.Kind.OK_TO_TEST,
                492700400,
                "0a1b2c3d",
                TriggerEvent.Approval.HEAD_NOT_REQUESTED_SHA));
    assertThat(trigger.headSha()).isEqualTo(FORK_HEAD);
    assertThat(trigger.identity().fromFork()).isTrue();
    assertThat(
            meters
                .get("tollgate.gateway.identities")
                .tag("outcome", "ok_to_test")
                .tag("detail", "head_not_requested_sha")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void identify_bareOkToTestAndPullRequestUpdatedAfterIt_refusedAsUpdatedAfterComment()
      throws Exception {
    // A late delivery, a redelivery or the other replica: the head the API reports now may be a
    // push made after the comment, which nobody reviewed.
    GitHubApiStubs.permission(github, "Codertocat", "write", "write");
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World", COMMENTED_AT_PLUS_1M);

    TriggerEvent trigger = identify("issue_comment", okToTestComment("/ok-to-test"));

    assertThat(trigger.approval().refused())
        .isEqualTo(TriggerEvent.Approval.HEAD_UPDATED_AFTER_COMMENT);
    assertThat(trigger.approval().requestedSha()).isNull();
    assertThat(trigger.approval().bound()).isFalse();
  }

  @Test
  void identify_bareOkToTestWithoutCreatedAt_refusedAsCommentTimeUnknown() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "write", "write");
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World", COMMENTED_AT_PLUS_1S);
    ObjectNode payload = okToTestComment("/ok-to-test");
    ((ObjectNode) payload.get("comment")).put("created_at", "yesterday");

    TriggerEvent trigger = identify("issue_comment", payload);

    assertThat(trigger.approval().refused()).isEqualTo(TriggerEvent.Approval.COMMENT_TIME_UNKNOWN);
  }

  @Test
  void identify_okToTestWithSomethingElseThanASha_isNoApproval() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "admin", "admin");
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World", COMMENTED_AT_PLUS_1S);

    for (String body :
        new String[] {
          "/ok-to-test main",
          "/ok-to-test 2f1d7c",
          "/ok-to-test 2f1d7c2 2f1d7c2",
          "/ok-to-test2f1d7c2"
        }) {
      TriggerEvent trigger = identify("issue_comment", okToTestComment(body));

      assertThat(trigger.approval()).as(body).isNull();
    }
  }

  @Test
  void identify_okToTestByReader_isNoApproval() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "read", "triage");
    GitHubApiStubs.pullRequest(github, FORK_HEAD, "drive-by/Hello-World");

    TriggerEvent trigger = identify("issue_comment", okToTestComment("/ok-to-test"));

    assertThat(trigger.approval()).isNull();
    assertThat(trigger.headSha()).isNull();
    assertThat(trigger.identity().permission()).isEqualTo(Permission.READ);
    github.verify(0, getRequestedFor(urlPathEqualTo("/repos/Codertocat/Hello-World/pulls/2")));
  }

  @Test
  void identify_okToTestPhraseInsideSentence_isNoApproval() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "admin", "admin");

    TriggerEvent trigger = identify("issue_comment", okToTestComment("please /ok-to-test this"));

    assertThat(trigger.approval()).isNull();
  }

  @Test
  void identify_okToTestOnIssueNotPullRequest_isNoApproval() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "admin", "admin");
    ObjectNode comment = okToTestComment("/ok-to-test");
    ((ObjectNode) comment.get("issue")).remove("pull_request");

    TriggerEvent trigger = identify("issue_comment", comment);

    assertThat(trigger.approval()).isNull();
    assertThat(trigger.pullRequest()).isNull();
  }

  @Test
  void identify_okToTestHeadUnavailable_emitsUnverifiedWithoutApproval() throws Exception {
    GitHubApiStubs.permission(github, "Codertocat", "admin", "admin");
    github.stubFor(
        get(urlPathEqualTo("/repos/Codertocat/Hello-World/pulls/2"))
            .willReturn(aResponse().withStatus(500)));

    TriggerEvent trigger = identify("issue_comment", okToTestComment("/ok-to-test"));

    assertThat(trigger.approval()).isNull();
    assertThat(trigger.identity().unverifiedReason()).isEqualTo("PULL_REQUEST_HEAD_UNAVAILABLE");
  }

  @Test
  void toString_credentials_printNoToken() {
    GitHubCredentials credentials =
        new GitHubCredentials(URI.create(github.baseUrl()), TOKEN, null, null, Clock.systemUTC());

    assertThat(credentials.toString()).doesNotContain(TOKEN).contains("redacted");
  }

  private TriggerEvent identify(String event, ObjectNode payload) throws Exception {
    return identities.identify(normalize(event, payload), payload);
  }

  private static TriggerEvent normalize(String event, ObjectNode payload) throws Exception {
    return TriggerNormalizerAccess.normalize(
        new DeliveryHeaders(event, UUID.randomUUID().toString(), null),
        Json.mapper().writeValueAsBytes(payload),
        Instant.now());
  }

  private static ObjectNode payload(String file) throws Exception {
    return (ObjectNode) Json.readTree(Fixtures.webhook(file));
  }

  /** GitHub's issue_comment example, turned into a comment on pull request 2 by a member. */
  private static ObjectNode okToTestComment(String body) throws Exception {
    ObjectNode payload = payload("issue_comment_created.payload.json");
    ObjectNode issue = (ObjectNode) payload.get("issue");
    issue.put("number", 2);
    issue
        .putObject("pull_request")
        .put("url", "https://api.github.com/repos/Codertocat/Hello-World/pulls/2")
        .put("html_url", "https://github.com/Codertocat/Hello-World/pull/2")
        .put("diff_url", "https://github.com/Codertocat/Hello-World/pull/2.diff")
        .put("patch_url", "https://github.com/Codertocat/Hello-World/pull/2.patch");
    ObjectNode comment = (ObjectNode) payload.get("comment");
    comment.put("body", body);
    comment.put("author_association", "MEMBER");
    return payload;
  }
}
