package dev.tollgate.verifier.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.ApprovalsUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Approvals on a real broker: what one verifier replica approved, another replica and a restarted
 * one see; a lookup against a journal it cannot read fails rather than answering "not approved".
 */
class KafkaApprovalJournalTest {
  private static final String SHA_A = "a".repeat(40);
  private static final String SHA_B = "b".repeat(40);
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.builder().topics(TollgateTopics.all()).start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  private static KafkaApprovalJournal journal() {
    return new KafkaApprovalJournal(
        kafka.bootstrapServers(), TollgateTopics.APPROVALS, Duration.ofSeconds(20));
  }

  @Test
  void approvedSha_afterRestart_approvalStillCounts() {
    String repo = repo();
    try (KafkaApprovalJournal before = journal()) {
      new Approvals(before).record(okToTest(repo, 1, SHA_A));
    }

    try (KafkaApprovalJournal restarted = journal()) {
      assertThat(new Approvals(restarted).approvedSha(pullRequest(repo, 1, SHA_A))).contains(SHA_A);
    }
  }

  @Test
  void approvedSha_approvalOnOtherReplica_seenAndLatestWins() {
    String repo = repo();
    try (KafkaApprovalJournal one = journal();
        KafkaApprovalJournal two = journal()) {
      Approvals replicaOne = new Approvals(one);
      Approvals replicaTwo = new Approvals(two);
      assertThat(replicaTwo.approvedSha(pullRequest(repo, 2, SHA_A))).isEmpty();

      replicaOne.record(okToTest(repo, 2, SHA_A));
      assertThat(replicaTwo.approvedSha(pullRequest(repo, 2, SHA_A))).contains(SHA_A);

      replicaTwo.record(okToTest(repo, 2, SHA_B));
      assertThat(replicaOne.approvedSha(pullRequest(repo, 2, SHA_A))).contains(SHA_B);
      assertThat(replicaOne.approvedSha(pullRequest(repo, 3, SHA_A))).isEmpty();
    }
  }

  @Test
  void record_readPermissionOkToTest_writesNothing() {
    String repo = repo();
    TriggerEvent byReader =
        trigger(
            repo,
            4,
            SHA_A,
            TriggerEvent.Identity.verified("CONTRIBUTOR", true, TriggerEvent.Permission.READ),
            new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 1));
    try (KafkaApprovalJournal one = journal();
        KafkaApprovalJournal two = journal()) {
      new Approvals(one).record(byReader);

      assertThat(new Approvals(two).approvedSha(pullRequest(repo, 4, SHA_A))).isEmpty();
    }
  }

  @Test
  void approvedSha_topicMissing_throwsInsteadOfAnsweringNotApproved() {
    try (KafkaApprovalJournal missing =
        new KafkaApprovalJournal(
            kafka.bootstrapServers(),
            "no.such.approvals." + UUID.randomUUID(),
            Duration.ofSeconds(5))) {
      Approvals approvals = new Approvals(missing);

      assertThatThrownBy(() -> approvals.approvedSha(pullRequest(repo(), 5, SHA_A)))
          .isInstanceOf(ApprovalsUnavailableException.class)
          .hasMessageContaining("does not exist");
    }
  }

  private static String repo() {
    return "acme/fork-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static TriggerEvent okToTest(String repo, long number, String sha) {
    return trigger(
        repo,
        number,
        sha,
        TriggerEvent.Identity.verified("MEMBER", true, TriggerEvent.Permission.MAINTAIN),
        new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 42));
  }

  private static TriggerEvent pullRequest(String repo, long number, String sha) {
    return trigger(
        repo,
        number,
        sha,
        TriggerEvent.Identity.verified(
            "FIRST_TIME_CONTRIBUTOR", true, TriggerEvent.Permission.READ),
        null);
  }

  private static TriggerEvent trigger(
      String repo,
      long number,
      String sha,
      TriggerEvent.Identity identity,
      TriggerEvent.Approval approval) {
    String delivery = UUID.randomUUID().toString();
    ObjectNode payload = Json.mapper().createObjectNode();
    return new TriggerEvent(
        Ids.githubTrigger(delivery),
        TriggerEvent.Source.GITHUB,
        Instant.now(),
        approval == null ? "pull_request" : "issue_comment",
        approval == null ? "synchronize" : "created",
        repo,
        null,
        null,
        null,
        sha,
        new TriggerEvent.Sender("octocat", 1),
        new TriggerEvent.GitHubDelivery(delivery, null, null),
        Sha256.digest(new byte[0]),
        0,
        payload,
        false,
        identity,
        new TriggerEvent.PullRequest(number, "stranger/fork"),
        approval,
        null,
        null,
        null);
  }
}
