package dev.tollgate.verifier.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.verifier.authenticity.EventKeys;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.ApprovalsUnavailableException;
import dev.tollgate.verifier.testing.TestEventKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
        kafka.bootstrapServers(),
        TollgateTopics.APPROVALS,
        Duration.ofSeconds(20),
        TestEventKeys.keys());
  }

  private static KafkaApprovalJournal journal(EventKeys keys, MeterRegistry meters) {
    return new KafkaApprovalJournal(
        KafkaClientSettings.plaintext(kafka.bootstrapServers()),
        TollgateTopics.APPROVALS,
        Duration.ofSeconds(20),
        keys,
        meters);
  }

  @Test
  void approvedSha_forgedApprovalsOnTheTopic_ignoredAndCounted() throws Exception {
    String repo = repo();
    String forgedPr = repo + "#6";
    String genuinePr = repo + "#7";
    try (KafkaApprovalJournal writer = journal()) {
      new Approvals(writer).record(okToTest(repo, 7, SHA_A));
    }
    ConsumerRecord<String, byte[]> genuine = read(genuinePr);
    // Unsigned, as Kafka's console producer writes it, with the genuine record's headers minus
    // the signature.
    Headers unsigned = new RecordHeaders(genuine.headers().toArray());
    unsigned.remove(EventSignatures.SIGNER);
    unsigned.remove(EventSignatures.SIGNATURE);
    produce(forgedPr, approval(forgedPr, SHA_A), unsigned);
    // Signed by a key nobody trusts.
    Headers stranger = new RecordHeaders(genuine.headers().toArray());
    byte[] strangerValue = approval(forgedPr, SHA_B);
    EventSignatures.sign(stranger, strangerValue, TestEventKeys.stranger());
    produce(forgedPr, strangerValue, stranger);
    // The genuine approval replayed with another head SHA and the signature it had.
    produce(genuinePr, approval(genuinePr, SHA_B), new RecordHeaders(genuine.headers().toArray()));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();

    try (KafkaApprovalJournal reader = journal(TestEventKeys.keys(), meters)) {
      Approvals approvals = new Approvals(reader);

      assertThat(approvals.approvedSha(pullRequest(repo, 6, SHA_A))).isEmpty();
      assertThat(approvals.approvedSha(pullRequest(repo, 7, SHA_A))).contains(SHA_A);
    }
    assertThat(unauthenticated(meters, "unsigned")).isGreaterThanOrEqualTo(1.0);
    assertThat(unauthenticated(meters, "unknown-key")).isGreaterThanOrEqualTo(1.0);
    assertThat(unauthenticated(meters, "invalid")).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void approvedSha_approvalSignedWithARetiredVerifierKeyStillListed_counts() {
    String repo = repo();
    EventKeys beforeRotation =
        new EventKeys(TestEventKeys.previousVerifier(), TestEventKeys.gateways(), List.of());
    try (KafkaApprovalJournal old = journal(beforeRotation, new SimpleMeterRegistry())) {
      new Approvals(old).record(okToTest(repo, 8, SHA_A));
    }

    try (KafkaApprovalJournal rotated = journal()) {
      assertThat(new Approvals(rotated).approvedSha(pullRequest(repo, 8, SHA_A))).contains(SHA_A);
    }
  }

  @Test
  void write_approval_signedByTheVerifiersOwnKey() {
    String repo = repo();
    try (KafkaApprovalJournal writer = journal()) {
      new Approvals(writer).record(okToTest(repo, 9, SHA_A));
    }

    ConsumerRecord<String, byte[]> record = read(repo + "#9");

    assertThat(EventSignatures.verify(record.headers(), record.value(), TestEventKeys.verifiers()))
        .isEqualTo(new EventSignatures.Verified(TestEventKeys.verifier().keyId()));
  }

  private static double unauthenticated(SimpleMeterRegistry meters, String why) {
    return meters.get(KafkaApprovalJournal.UNAUTHENTICATED).tag("why", why).counter().count();
  }

  private static byte[] approval(String pullRequest, String sha) {
    ObjectNode value = Json.mapper().createObjectNode();
    value.put("pullRequest", pullRequest);
    value.put("headSha", sha);
    value.put("approvedAt", Instant.now().toString());
    return CanonicalJson.bytes(value);
  }

  private static void produce(String key, byte[] value, Headers headers) throws Exception {
    Map<String, Object> props = kafka.clientProperties();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(TollgateTopics.APPROVALS, null, key, value, headers))
          .get();
    }
  }

  /** The last record of {@code key} on the approvals topic. */
  private static ConsumerRecord<String, byte[]> read(String key) {
    Map<String, Object> props = kafka.clientProperties();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          c.partitionsFor(TollgateTopics.APPROVALS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      ConsumerRecord<String, byte[]> last = null;
      while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (key.equals(r.key())) {
            last = r;
          }
        }
      }
      assertThat(last).as("a record of " + key).isNotNull();
      return last;
    }
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
            Duration.ofSeconds(5),
            TestEventKeys.keys())) {
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
