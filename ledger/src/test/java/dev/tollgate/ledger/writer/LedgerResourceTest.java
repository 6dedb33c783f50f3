package dev.tollgate.ledger.writer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.checkpoint.ReceiptVerifier;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleProofs;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.SigningKeyResource;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.watch.KafkaRunEventSink;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transparency endpoints of the running service, with a checkpoint every two records so a few
 * events yield checkpoints: what is served verifies with the public key alone.
 */
@QuarkusTest
@TestProfile(LedgerResourceTest.CheckpointEveryTwo.class)
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(SigningKeyResource.class)
class LedgerResourceTest {

  /** Checkpoints after every two records. */
  public static final class CheckpointEveryTwo implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("tollgate.ledger.checkpoint.every-records", "2");
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ORIGIN =
      "tollgate.dev/ledger/" + EventType.LEDGER_RECORD.defaultTopic();

  EmbeddedKafka kafka;

  @Inject LedgerService service;

  private LedgerPublicKey key;

  @BeforeEach
  void awaitCheckpointOfFiveRecords() throws Exception {
    await().atMost(WAIT).until(() -> service.writer().state() == WriterState.WRITING);
    key = LedgerPublicKey.fromPem(given().get("/ledger/v1/public-key").asString());
    if (latestCheckpointSize() < 5) {
      // t, t, checkpoint(2), t, t, checkpoint(5)
      for (int i = 0; i < 4; i++) {
        String id = Ids.githubTrigger(UUID.randomUUID().toString());
        Topics.send(
            kafka.bootstrapServers(),
            EventType.TRIGGER.defaultTopic(),
            "acme/payments",
            Topics.ceHeaders(EventType.TRIGGER, id),
            Chains.triggerData(id));
      }
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> latestCheckpointSize() >= 5);
    }
  }

  @Test
  void checkpoint_served_isASignedNoteOfTheConfiguredOrigin() throws Exception {
    String note =
        given()
            .get("/ledger/v1/checkpoint")
            .then()
            .statusCode(200)
            .contentType("text/plain")
            .extract()
            .asString();

    Checkpoint checkpoint = Checkpoint.open(note, NoteKey.of(ORIGIN, key));

    assertThat(checkpoint.rootHash())
        .isEqualTo(localTree(checkpoint.size()).rootHash(checkpoint.size()));
  }

  @Test
  void entry_served_isTheStoredRecordBytes() {
    byte[] served =
        given().get("/ledger/v1/entries/1").then().statusCode(200).extract().asByteArray();

    assertThat(served).isEqualTo(ledgerValues().get(1));
  }

  @Test
  void inclusionProof_served_verifiesAgainstTheCheckpointRoot() throws Exception {
    Checkpoint checkpoint = latestCheckpoint();
    long size = checkpoint.size();
    JsonNode proof =
        Json.readTree(
            given()
                .get("/ledger/v1/proof/inclusion?seq=3&size=" + size)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray());

    assertThat(proof.get("leafIndex").asLong()).isEqualTo(3);
    assertThat(proof.get("treeSize").asLong()).isEqualTo(size);
    assertThat(
            MerkleProofs.inclusionVerifies(
                3,
                size,
                MerkleHash.leaf(ledgerValues().get(3)),
                hashes(proof),
                checkpoint.rootHash()))
        .isTrue();
  }

  @Test
  void consistencyProof_served_verifiesBetweenTheTwoRoots() throws Exception {
    Checkpoint checkpoint = latestCheckpoint();
    MerkleTree tree = localTree(checkpoint.size());
    JsonNode proof =
        Json.readTree(
            given()
                .get("/ledger/v1/proof/consistency?from=2&to=" + checkpoint.size())
                .then()
                .statusCode(200)
                .extract()
                .asByteArray());

    assertThat(
            MerkleProofs.consistencyVerifies(
                2, checkpoint.size(), hashes(proof), tree.rootHash(2), checkpoint.rootHash()))
        .isTrue();
  }

  @Test
  void receipt_served_verifiesOfflineWithThePublicKey() throws Exception {
    String text =
        given()
            .get("/ledger/v1/receipt/1")
            .then()
            .statusCode(200)
            .contentType("text/plain")
            .extract()
            .asString();

    Checkpoint checkpoint =
        ReceiptVerifier.verify(
            Receipt.parse(text), ledgerValues().get(1), key, Optional.of(ORIGIN));

    assertThat(text).startsWith("c2sp.org/tlog-proof@v1\nindex 1\n");
    assertThat(checkpoint.size()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void endpoints_beyondTheCommittedOrCheckpointedLedger_answer404() {
    long size = latestCheckpointSize();
    given().get("/ledger/v1/receipt/" + size).then().statusCode(404);
    given().get("/ledger/v1/entries/1000000").then().statusCode(404);
    given().get("/ledger/v1/proof/inclusion?seq=0&size=1000000").then().statusCode(404);
    given().get("/ledger/v1/proof/consistency?from=1&to=1000000").then().statusCode(404);
  }

  @Test
  void endpoints_badParameters_answer400() {
    given().get("/ledger/v1/entries/abc").then().statusCode(400);
    given().get("/ledger/v1/entries/-1").then().statusCode(400);
    given().get("/ledger/v1/receipt/x").then().statusCode(400);
    given().get("/ledger/v1/proof/inclusion?seq=2&size=2").then().statusCode(400);
    given().get("/ledger/v1/proof/inclusion?size=2").then().statusCode(400);
    given().get("/ledger/v1/proof/consistency?from=3&to=2").then().statusCode(400);
  }

  @Test
  void provenance_ofAnImageARunReported_servesRunDecisionTriggerEachWithAVerifyingReceipt()
      throws Exception {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String decisionId = Ids.decision(triggerId);
    String digest = "sha256:" + Sha256.hex(triggerId.getBytes(StandardCharsets.UTF_8));
    Topics.send(
        kafka.bootstrapServers(),
        EventType.TRIGGER.defaultTopic(),
        "acme/payments",
        EventKeys.sign(
            Topics.ceHeaders(EventType.TRIGGER, triggerId),
            Chains.triggerData(triggerId),
            EventKeys.gateway()),
        Chains.triggerData(triggerId));
    Topics.send(
        kafka.bootstrapServers(),
        EventType.DECISION.defaultTopic(),
        triggerId,
        EventKeys.sign(
            Topics.ceHeaders(EventType.DECISION, decisionId),
            Chains.decisionData(triggerId, decisionId),
            EventKeys.verifier()),
        Chains.decisionData(triggerId, decisionId));
    String uid = UUID.randomUUID().toString();
    try (KafkaRunEventSink runs =
        new KafkaRunEventSink(
            kafka.bootstrapServers(), EventType.RUN.defaultTopic(), EventKeys.runWatch())) {
      runs.publish("run:" + uid + ":started", run(uid, RunEvent.Phase.STARTED, triggerId, null));
      RunEvent succeeded = run(uid, RunEvent.Phase.SUCCEEDED, triggerId, digest);
      runs.publish("run:" + uid + ":succeeded", succeeded);
      // A re-list after a watch restart publishes the same id again: recorded once.
      runs.publish("run:" + uid + ":succeeded", succeeded);
    }
    for (int i = 0; i < 2; i++) {
      String id = Ids.githubTrigger(UUID.randomUUID().toString());
      Topics.send(
          kafka.bootstrapServers(),
          EventType.TRIGGER.defaultTopic(),
          "acme/payments",
          Topics.ceHeaders(EventType.TRIGGER, id),
          Chains.triggerData(id));
    }

    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              var response = given().get("/ledger/v1/provenance/" + digest);
              return response.statusCode() == 200
                  && !response.asString().contains("\"checkpointed\":false");
            });
    JsonNode view = Json.readTree(given().get("/ledger/v1/provenance/" + digest).asByteArray());

    assertThat(view.get("imageDigest").asText()).isEqualTo(digest);
    assertThat(view.get("records").findValuesAsText("role"))
        .containsExactly("run", "run", "decision", "trigger");
    for (JsonNode entry : view.get("records")) {
      byte[] stored = CanonicalJson.bytes(entry.get("record"));
      assertThat(stored).isEqualTo(ledgerValues().get(entry.get("seq").intValue()));
      Checkpoint checkpoint =
          ReceiptVerifier.verify(
              Receipt.parse(entry.get("receipt").asText()), stored, key, Optional.of(ORIGIN));
      assertThat(checkpoint.size()).isGreaterThan(entry.get("seq").asLong());
    }
    JsonNode succeededRecord = view.get("records").get(1).get("record");
    assertThat(succeededRecord.at("/links/imageDigests/0").asText()).isEqualTo(digest);
    assertThat(succeededRecord.at("/links/runUid").asText()).isEqualTo(uid);
    assertThat(succeededRecord.at("/links/decisionId").asText()).isEqualTo(decisionId);
    // The run watch's sink signed the run event with its own key; the ledger verified it.
    assertThat(succeededRecord.at("/authentication/signer").asText()).isEqualTo("run-watch");
    assertThat(succeededRecord.at("/authentication/result").asText()).isEqualTo("verified");
    assertThat(succeededRecord.at("/authentication/keyId").asText())
        .isEqualTo(EventKeys.runWatch().keyId());
    assertThat(
            ledgerValues().stream()
                .filter(v -> Chains.tree(v).get("eventId").asText().startsWith("run:" + uid)))
        .hasSize(2);
  }

  @Test
  void provenance_unknownOrMalformedDigest_answers404Or400() {
    given().get("/ledger/v1/provenance/sha256:" + "0".repeat(64)).then().statusCode(404);
    given().get("/ledger/v1/provenance/latest").then().statusCode(400);
  }

  private static RunEvent run(String uid, RunEvent.Phase phase, String triggerId, String digest) {
    return new RunEvent(
        uid,
        RunEvent.Kind.PIPELINE_RUN,
        "tenant-acme-monorepo",
        "tg-run",
        phase,
        true,
        triggerId,
        Ids.decision(triggerId),
        digest == null ? Map.of() : Map.of("IMAGE_DIGEST", digest, "IMAGE_URL", "registry/api"),
        null,
        Instant.now(),
        null);
  }

  private long latestCheckpointSize() {
    return service
        .writer()
        .committed()
        .flatMap(CommittedLedger::checkpoint)
        .map(Checkpoint::size)
        .orElse(0L);
  }

  private Checkpoint latestCheckpoint() throws Exception {
    return Checkpoint.open(
        given().get("/ledger/v1/checkpoint").then().statusCode(200).extract().asString(),
        NoteKey.of(ORIGIN, key));
  }

  private List<byte[]> ledgerValues() {
    return Topics.values(kafka.bootstrapServers(), EventType.LEDGER_RECORD.defaultTopic());
  }

  private MerkleTree localTree(long size) {
    MerkleTree tree = MerkleTree.inMemory();
    ledgerValues().stream().limit(size).forEach(tree::append);
    return tree;
  }

  private static List<byte[]> hashes(JsonNode proof) {
    List<byte[]> hashes = new java.util.ArrayList<>();
    proof.get("hashes").forEach(h -> hashes.add(Base64.getDecoder().decode(h.asText())));
    return hashes;
  }
}
