package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.append.AppendStep;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor names a source offset gap against a real broker (issue 17, section 2): from the
 * ledger alone a gap is unexplained and fails {@code verify}; with {@code --check-sources} the
 * auditor reads the source topic and tells events the ledger skipped from a transactional
 * producer's commit markers, which hold no data record.
 */
class SourceGapAuditTest {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;

  @BeforeAll
  static void broker(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
  }

  @Test
  void verify_writerSkippedOffsets_failsNamingTopicPartitionAndOffsets() {
    String triggers = SharedKafka.newTopic(EventType.TRIGGER);
    List<SourceEvent> events = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      events.add(send(triggers, "skip-" + i));
    }
    // A writer whose position jumped from 3 to 6 (an offset reset): offsets 3..5 never recorded.
    String ledger = ledger(List.of(events.subList(0, 3), events.subList(6, 8)));

    VerifyCommandTest.Run alone = verify(ledger);
    VerifyCommandTest.Run checked = verify(ledger, "--check-sources");

    assertThat(alone.exitCode()).isEqualTo(1);
    assertThat(alone.out())
        .contains(
            "GAP: "
                + triggers
                + "/0 offsets 3..5 (range of the checkpoint at seq 6): no record and no stated"
                + " duplicate explains it")
        .contains("INCOMPLETE: 3 source offset(s) in 1 gap(s)");
    assertThat(checked.exitCode()).isEqualTo(1);
    assertThat(checked.out())
        .contains(
            "SKIPPED: "
                + triggers
                + "/0 offsets 3..5 (range of the checkpoint at seq 6): the source topic holds"
                + " events the ledger never recorded, at offsets [3, 4, 5]");
  }

  @Test
  void verify_transactionalSourceWithCommitMarkers_explainedOnlyByTheSourceTopic() {
    String triggers = SharedKafka.newTopic(EventType.TRIGGER);
    List<SourceEvent> events = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = transactional()) {
      producer.initTransactions();
      for (int i = 0; i < 3; i++) {
        // Each transaction leaves its commit marker at the offset after its record.
        producer.beginTransaction();
        RecordMetadata sent = sendIn(producer, triggers, "tx-" + i);
        producer.commitTransaction();
        events.add(trigger(triggers, 0, "tx-" + i, sent.offset()));
      }
    }
    assertThat(events).extracting(e -> e.source().offset()).containsExactly(0L, 2L, 4L);
    String ledger = ledger(List.of(events));

    VerifyCommandTest.Run alone = verify(ledger);
    VerifyCommandTest.Run checked = verify(ledger, "--check-sources");

    assertThat(alone.exitCode()).isEqualTo(1);
    assertThat(alone.out())
        .contains("GAP: " + triggers + "/0 offset 1 ", "GAP: " + triggers + "/0 offset 3 ");
    assertThat(checked.exitCode()).isZero();
    assertThat(checked.out())
        .contains("no committed data record in the source topic")
        .contains("COMPLETE: 2 source offset(s) in 2 gap(s) hold no committed data record");
  }

  @Test
  void verify_contiguousLedger_reportsEveryOffsetAccountedAndExitsZero() {
    String triggers = SharedKafka.newTopic(EventType.TRIGGER);
    List<SourceEvent> events = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      events.add(send(triggers, "whole-" + i));
    }
    String ledger = ledger(List.of(events));

    VerifyCommandTest.Run run = verify(ledger);

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "SOURCES: accounted from the checkpoint at seq 4: " + triggers + "/0 offsets 0..3")
        .contains("COMPLETE: every source offset in the accounted ranges is recorded");
  }

  /** A ledger topic holding one committed batch per list of events, each ending in a checkpoint. */
  private static String ledger(List<List<SourceEvent>> batches) {
    LedgerSigner signer = keys.signer();
    String origin = CheckpointPolicy.defaultOrigin("tollgate.ledger.v1");
    AppendStep step =
        new AppendStep(
            signer,
            signer,
            List.of(),
            new CheckpointPolicy(origin, 1000, Duration.ofSeconds(1)),
            Clock.fixed(NOW.plusSeconds(10), ZoneOffset.UTC));
    LedgerVerifier chain =
        LedgerVerifier.trusting(
            List.of(signer.publicKey()), Optional.of(origin), MerkleTree.inMemory());
    List<byte[]> values = new ArrayList<>();
    try {
      for (List<SourceEvent> batch : batches) {
        StagedBatch staged = step.append(chain, batch, NOW);
        chain.markCommitted();
        staged.records().stream().map(StagedRecord::value).forEach(values::add);
      }
    } catch (CheckpointException e) {
      throw new IllegalStateException(e);
    }
    String ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    // (the ledger topic has one partition; writeValues writes partition 0)
    Topics.writeValues(kafka.bootstrapServers(), ledger, values);
    return ledger;
  }

  /** Sends a trigger to partition 0 of the topic. */
  private static SourceEvent send(String topic, String id) {
    try (KafkaProducer<byte[], byte[]> producer = Topics.producer(kafka.bootstrapServers())) {
      RecordMetadata sent = sendIn(producer, topic, id);
      return trigger(topic, sent.partition(), id, sent.offset());
    }
  }

  private static RecordMetadata sendIn(
      KafkaProducer<byte[], byte[]> producer, String topic, String id) {
    try {
      return producer
          .send(
              new ProducerRecord<byte[], byte[]>(
                  topic,
                  0,
                  (byte[]) null,
                  Chains.triggerData("github:" + id),
                  Topics.ceHeaders(EventType.TRIGGER, id)))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KafkaProducer<byte[], byte[]> transactional() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "source-" + System.nanoTime());
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static SourceEvent trigger(String topic, int partition, String id, long offset) {
    return new SourceEvent(
        LedgerRecord.Kind.TRIGGER,
        id,
        EventType.TRIGGER.ceType(),
        new LedgerRecord.SourcePosition(topic, partition, offset),
        Chains.triggerData("github:" + id));
  }

  private static VerifyCommandTest.Run verify(String ledger, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                "--bootstrap-server",
                kafka.bootstrapServers(),
                "--topic",
                ledger,
                "--public-key",
                keys.publicKey().toString(),
                "--quiet"));
    args.addAll(List.of(more));
    return VerifyCommandTest.run(args.toArray(String[]::new));
  }
}
