package dev.tollgate.ledger.writer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.EmbeddedKafkaResource;
import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.ledger.LedgerConfig;
import dev.tollgate.ledger.audit.AuditorCommand;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.privacy.SealedCheck;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.SigningKeyResource;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The ledger service as deployed: Quarkus starts the writer against a real broker with a fresh key;
 * events go in on the source topics, signed records come out on the ledger topic.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedKafkaResource.class)
@QuarkusTestResource(SigningKeyResource.class)
class LedgerServiceTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String LEDGER = EventType.LEDGER_RECORD.defaultTopic();

  EmbeddedKafka kafka;

  @Inject LedgerService service;
  @Inject LedgerConfig config;

  @BeforeEach
  void awaitWriting() {
    await().atMost(WAIT).until(() -> service.writer().state() == WriterState.WRITING);
  }

  @Test
  void onEvents_triggerThenDecision_appendsConsecutiveSignedRecords() throws Exception {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String decisionId = Ids.decision(triggerId);
    RecordMetadata sent = send(EventType.TRIGGER, triggerId, Chains.triggerData(triggerId));
    ConsumerRecord<byte[], byte[]> triggerRecord = awaitRecordOf(triggerId);
    send(EventType.DECISION, decisionId, Chains.decisionData(triggerId, decisionId));
    ConsumerRecord<byte[], byte[]> decisionRecord = awaitRecordOf(decisionId);

    LedgerRecord trigger = Json.read(triggerRecord.value(), LedgerRecord.class);
    LedgerRecord decision = Json.read(decisionRecord.value(), LedgerRecord.class);
    assertThat(trigger.kind()).isEqualTo(LedgerRecord.Kind.TRIGGER);
    assertThat(trigger.eventType()).isEqualTo(EventType.TRIGGER.ceType());
    assertThat(trigger.source())
        .isEqualTo(new LedgerRecord.SourcePosition(sent.topic(), sent.partition(), sent.offset()));
    assertThat(trigger.payloadEncoding()).isEqualTo(LedgerRecord.PayloadEncoding.JSON);
    // By default the trigger's webhook body is sealed: a commitment in the record, the body and
    // its salt in the sealed store (%test: target/ledger-sealed), from where it restores exactly.
    JsonNode whole = Json.readTree(Chains.triggerData(triggerId));
    assertThat(trigger.sealed()).hasSize(1);
    LedgerRecord.Sealed sealed = trigger.sealed().get(0);
    assertThat(sealed.pointer()).isEqualTo("/payload");
    assertThat(trigger.payload().path("payload").asText()).isEqualTo(sealed.commitment());
    JsonNode recordedRest = ((ObjectNode) trigger.payload().deepCopy()).without("payload");
    JsonNode wholeRest = ((ObjectNode) whole.deepCopy()).without("payload");
    assertThat(recordedRest).isEqualTo(wholeRest);
    SealedCheck.Result check =
        SealedCheck.check(trigger, new SealedStore(Path.of("target/ledger-sealed")));
    assertThat(check.ok()).isTrue();
    assertThat(check.digestChecked()).isTrue();
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(Chains.triggerData(triggerId)));
    assertThat(trigger.links().triggerId()).isEqualTo(triggerId);
    assertThat(trigger.keyId()).isEqualTo(service.signer().publicKey().keyId());

    assertThat(decision.kind()).isEqualTo(LedgerRecord.Kind.DECISION);
    assertThat(decision.seq()).isEqualTo(trigger.seq() + 1);
    assertThat(decision.prev())
        .isEqualTo(LedgerRecord.recordHash(Chains.tree(triggerRecord.value())));
    assertThat(decision.links().triggerId()).isEqualTo(triggerId);
    assertThat(decision.links().decisionId()).isEqualTo(decisionId);

    CloudEventAttributes attributes = KafkaCloudEvents.read(decisionRecord.headers());
    assertThat(attributes.type()).isEqualTo(EventType.LEDGER_RECORD.ceType());
    assertThat(attributes.id()).isEqualTo("ledger:" + decision.seq());
    assertThat(attributes.source()).isEqualTo(LedgerWriter.SOURCE);
    assertThat(attributes.subject()).isEqualTo(decisionId);
  }

  @Test
  void onEvents_genuineUnsignedForgedAndGarbage_recordsEachFlaggedAndNeverAdmitsTheForged()
      throws Exception {
    String genuineId = Ids.githubTrigger(UUID.randomUUID().toString());
    String unsignedId = Ids.githubTrigger(UUID.randomUUID().toString());
    String forgedDecisionId = Ids.decision(genuineId);
    long unauthenticatedBefore = service.writer().unauthenticatedCount();
    Topics.send(
        kafka.bootstrapServers(),
        EventType.TRIGGER.defaultTopic(),
        genuineId,
        EventKeys.sign(
            Topics.ceHeaders(EventType.TRIGGER, genuineId),
            Chains.triggerData(genuineId),
            EventKeys.gateway()),
        Chains.triggerData(genuineId));
    send(EventType.TRIGGER, unsignedId, Chains.triggerData(unsignedId));
    // What an attacker with the console producer does: an admitting decision, signed by a key of
    // their own, with the id the verifier would give it.
    Topics.send(
        kafka.bootstrapServers(),
        EventType.DECISION.defaultTopic(),
        forgedDecisionId,
        EventKeys.sign(
            Topics.ceHeaders(EventType.DECISION, forgedDecisionId),
            Chains.decisionData(genuineId, forgedDecisionId),
            EventKeys.forger()),
        Chains.decisionData(genuineId, forgedDecisionId));
    RecordMetadata garbage =
        Topics.send(
            kafka.bootstrapServers(),
            EventType.DECISION.defaultTopic(),
            "x",
            Topics.noHeaders(),
            new byte[] {(byte) 0xff, 0, '{'});
    String garbageId =
        SourceEvent.positionId(garbage.topic(), garbage.partition(), garbage.offset());

    assertThat(authentication(awaitRecordOf(genuineId)).path("result").asText())
        .isEqualTo("verified");
    assertThat(authentication(awaitRecordOf(genuineId)).path("keyId").asText())
        .isEqualTo(EventKeys.gateway().keyId());
    assertThat(authentication(awaitRecordOf(unsignedId)).path("result").asText())
        .isEqualTo("unsigned");
    assertThat(authentication(awaitRecordOf(forgedDecisionId)).path("result").asText())
        .isEqualTo("unknown-key");
    ConsumerRecord<byte[], byte[]> garbageRecord = awaitRecordOf(garbageId);
    assertThat(authentication(garbageRecord).path("result").asText()).isEqualTo("unsigned");
    assertThat(Chains.tree(garbageRecord.value()).path("payloadEncoding").asText())
        .isEqualTo("base64");

    await()
        .atMost(WAIT)
        .until(
            () ->
                service.writer().committed().orElseThrow().index().size()
                    > Chains.tree(garbageRecord.value()).path("seq").asLong());
    assertThat(service.writer().committed().orElseThrow().index().decision(forgedDecisionId))
        .isEmpty();
    assertThat(service.writer().unauthenticatedCount() - unauthenticatedBefore).isEqualTo(3);
    assertThat(service.writer().state()).isEqualTo(WriterState.WRITING);
  }

  private static com.fasterxml.jackson.databind.JsonNode authentication(
      ConsumerRecord<byte[], byte[]> record) {
    return Chains.tree(record.value()).path("authentication");
  }

  @Test
  void onEvent_sameEventIdTwice_recordsItOnce() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String marker = Ids.githubTrigger(UUID.randomUUID().toString());
    long skippedBefore = service.writer().duplicatesSkippedCount();
    send(EventType.TRIGGER, triggerId, Chains.triggerData(triggerId));
    send(EventType.TRIGGER, triggerId, Chains.triggerData(triggerId));
    send(EventType.TRIGGER, marker, Chains.triggerData(marker));

    awaitRecordOf(marker);
    await().atMost(WAIT).until(() -> service.writer().duplicatesSkippedCount() > skippedBefore);

    assertThat(recordsOf(triggerId)).hasSize(1);
    assertThat(metric("tollgate_ledger_duplicates_skipped_total")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void onEvent_withoutCloudEventHeaders_recordsItUnderItsPosition() throws Exception {
    byte[] data = "not json, no headers".getBytes(StandardCharsets.UTF_8);
    RecordMetadata sent =
        Topics.send(
            kafka.bootstrapServers(),
            EventType.REJECTION.defaultTopic(),
            null,
            Topics.noHeaders(),
            data);
    String positionId = sent.topic() + "-" + sent.partition() + "@" + sent.offset();

    LedgerRecord record = Json.read(awaitRecordOf(positionId).value(), LedgerRecord.class);

    assertThat(record.kind()).isEqualTo(LedgerRecord.Kind.REJECTION);
    assertThat(record.eventType()).isNull();
    assertThat(record.payloadEncoding()).isEqualTo(LedgerRecord.PayloadEncoding.BASE64);
    assertThat(Base64.getDecoder().decode(record.payload().asText())).isEqualTo(data);
    assertThat(record.payloadDigest()).isEqualTo(Sha256.digest(data));
  }

  @Test
  void verify_ledgerWrittenByTheService_passesWithTheServedPublicKey() throws Exception {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    send(EventType.TRIGGER, triggerId, Chains.triggerData(triggerId));
    awaitRecordOf(triggerId);
    String pem = given().get("/ledger/v1/public-key").then().statusCode(200).extract().asString();
    JsonNode head =
        Json.readTree(
            given().get("/ledger/v1/head").then().statusCode(200).extract().asByteArray());

    StringWriter out = new StringWriter();
    CommandLine auditor = AuditorCommand.commandLine();
    auditor.setOut(new PrintWriter(out));
    int exitCode;
    try (TemporaryDirectory dir = TemporaryDirectory.create("tollgate-ledger-public-key-")) {
      Path publicKey = dir.path().resolve("ledger.pub.pem");
      Files.writeString(publicKey, pem, StandardCharsets.US_ASCII);
      exitCode =
          auditor.execute(
              "verify",
              "--bootstrap-server",
              kafka.bootstrapServers(),
              "--public-key",
              publicKey.toString());
    }

    assertThat(exitCode).isEqualTo(0);
    assertThat(out.toString())
        .startsWith(
            "OK: "
                + head.get("size").asLong()
                + " records verified, head seq "
                + head.get("headSeq").asLong()
                + " "
                + head.get("headHash").asText());
    assertThat(LedgerPublicKey.fromPem(pem).keyId()).isEqualTo(head.get("keyId").asText());
  }

  @Test
  void health_whileWriting_isReady() {
    given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void metrics_afterAnAppend_countRecordsAppended() {
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    send(EventType.TRIGGER, triggerId, Chains.triggerData(triggerId));
    awaitRecordOf(triggerId);

    await().atMost(WAIT).until(() -> metric("tollgate_ledger_records_appended_total") >= 1);
  }

  @Test
  void metrics_whileWriting_exposeLagFencingAndWritingUnderTheirPrometheusNames() {
    await().atMost(WAIT).until(() -> metric("tollgate_ledger_writer_writing") == 1);
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();

    assertThat(metrics).contains("\ntollgate_ledger_writer_lag_events");
    assertThat(metrics).contains("\ntollgate_ledger_writer_fenced_total");
    assertThat(metric("tollgate_ledger_writer_fenced_total")).isZero();
  }

  @Test
  void transactionalId_notConfigured_derivesFromTheLedgerTopic() {
    assertThat(config.transactionalId()).isEqualTo("tollgate-ledger-writer." + LEDGER);
  }

  private RecordMetadata send(EventType type, String id, byte[] data) {
    return Topics.send(
        kafka.bootstrapServers(), type.defaultTopic(), id, Topics.ceHeaders(type, id), data);
  }

  private ConsumerRecord<byte[], byte[]> awaitRecordOf(String eventId) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> recordsOf(eventId).stream().findFirst(), Optional::isPresent)
        .orElseThrow();
  }

  private List<ConsumerRecord<byte[], byte[]>> recordsOf(String eventId) {
    return Topics.readAll(kafka.bootstrapServers(), LEDGER).stream()
        .filter(r -> Chains.tree(r.value()).get("eventId").asText().equals(eventId))
        .toList();
  }

  private static double metric(String name) {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    return metrics
        .lines()
        .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
