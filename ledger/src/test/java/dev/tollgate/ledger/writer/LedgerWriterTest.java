package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer without Quarkus against a real broker: restarts, fencing and a broken stored chain.
 * Every test gets its own topics, group and transactional id on the shared broker.
 */
class LedgerWriterTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<LedgerWriter> writers = new ArrayList<>();
  private EmbeddedKafka kafka;
  private LedgerSigner signer;
  private String triggers;
  private String ledger;
  private String transactionalId;

  @BeforeEach
  void topics() {
    kafka = SharedKafka.get();
    signer = TestKeys.signer();
    triggers = SharedKafka.newTopic(EventType.TRIGGER);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    transactionalId = "test-writer-" + UUID.randomUUID();
  }

  @AfterEach
  void stopWriters() {
    writers.forEach(LedgerWriter::close);
  }

  @Test
  void start_afterRestart_continuesTheChainAndSkipsRedeliveredEvents() throws Exception {
    String group = "group-" + UUID.randomUUID();
    LedgerWriter first = startWriter(group);
    sendTrigger("e1");
    sendTrigger("e2");
    awaitLedgerSize(2);
    first.close();
    assertThat(first.state()).isEqualTo(WriterState.STOPPED);

    // e1 delivered again at a new offset: only the ledger can tell it was seen.
    LedgerWriter second = startWriter(group);
    assertThat(second.head().orElseThrow().size()).isEqualTo(2);
    sendTrigger("e1");
    sendTrigger("e3");
    // e3, and the checkpoint that states the redelivered e1's offset as a duplicate
    awaitLedgerSize(4);
    await().atMost(WAIT).until(() -> second.duplicatesSkippedCount() == 1);

    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    assertThat(values).hasSize(4);
    assertThat(eventIds(values).stream().filter(id -> !id.startsWith("checkpoint:")))
        .containsExactly("e1", "e2", "e3");
    LedgerRecord third = Json.read(values.get(2), LedgerRecord.class);
    assertThat(third.seq()).isEqualTo(2);
    assertThat(third.prev()).isEqualTo(LedgerRecord.recordHash(Chains.tree(values.get(1))));
    assertThat(second.appendedCount()).isEqualTo(1);
    assertChainVerifies(values);
  }

  @Test
  void start_newConsumerGroupOnANonEmptyLedger_stopsInsteadOfRereadingOrSkipping()
      throws Exception {
    LedgerWriter first = startWriter("group-" + UUID.randomUUID());
    sendTrigger("g1");
    awaitLedgerSize(1);
    first.close();

    // The group's committed positions are gone (deleted group, expired offsets): no reset.
    LedgerWriter second = newWriter("group-" + UUID.randomUUID());
    second.start();
    await().atMost(WAIT).until(() -> second.state().isFinal());
    sendTrigger("g2");

    assertThat(second.state()).isEqualTo(WriterState.SOURCE_POSITION_LOST);
    assertThat(LedgerReadiness.of(second).getStatus())
        .isEqualTo(org.eclipse.microprofile.health.HealthCheckResponse.Status.DOWN);
    assertThat(Topics.values(kafka.bootstrapServers(), ledger)).hasSize(1);
  }

  @Test
  void start_secondWriterWithSameTransactionalId_fencesTheFirst() throws Exception {
    String group = "group-" + UUID.randomUUID();
    LedgerWriter first = startWriter(group);
    sendTrigger("f1");
    awaitLedgerSize(1);

    LedgerWriter second = startWriter(group);
    sendTrigger("f2");

    await().atMost(WAIT).until(() -> first.state() == WriterState.FENCED);
    awaitLedgerSize(2);
    assertThat(second.state()).isEqualTo(WriterState.WRITING);
    sendTrigger("f3");
    awaitLedgerSize(3);
    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    assertThat(eventIds(values)).containsExactly("f1", "f2", "f3");
    assertThat(first.state()).isEqualTo(WriterState.FENCED);
    assertChainVerifies(values);
  }

  @Test
  void start_storedChainDoesNotVerify_refusesToWrite() throws Exception {
    List<byte[]> chain = Chains.build(signer, 3);
    Topics.writeValues(
        kafka.bootstrapServers(),
        ledger,
        List.of(chain.get(0), Topics.flipByte(chain.get(1), 40), chain.get(2)));

    LedgerWriter writer = newWriter("group-" + UUID.randomUUID());
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.CHAIN_INVALID);
    sendTrigger("never-recorded");

    // The writer has stopped: nothing it could still do would reach the topic.
    writer.close();
    assertThat(writer.state()).isEqualTo(WriterState.CHAIN_INVALID);
    assertThat(writer.head()).isEmpty();
    assertThat(Topics.values(kafka.bootstrapServers(), ledger)).hasSize(3);
  }

  @Test
  void start_foreignValuesOnTheLedgerTopic_skipsAndCountsThemAndKeepsAppending() throws Exception {
    // One consumer group throughout, as a restarted ledger: a new group would find no committed
    // position for partitions the ledger consumed before and stop (auto.offset.reset=none).
    String group = "group-" + UUID.randomUUID();
    LedgerWriter first = startWriter(group);
    sendTrigger("g1");
    sendTrigger("g2");
    awaitLedgerSize(2);
    first.close();
    // What issue 15 measured: {"garbage":true} from the console producer, and a well-formed
    // record signed by another key, produced onto the ledger topic between two writers.
    Topics.writeValues(
        kafka.bootstrapServers(),
        ledger,
        List.of(
            "{\"garbage\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Chains.build(TestKeys.signer(), 1).get(0)));

    LedgerWriter second = startWriter(group);
    assertThat(second.head().orElseThrow().size()).isEqualTo(2);
    assertThat(second.injectedCount()).isEqualTo(2);
    sendTrigger("g3");
    awaitLedgerSize(5);

    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    assertThat(values).hasSize(5);
    assertThat(Chains.tree(values.get(4)).get("eventId").asText()).isEqualTo("g3");
    assertThat(Chains.tree(values.get(4)).get("seq").asLong()).isEqualTo(2);
    assertChainVerifies(List.of(values.get(0), values.get(1), values.get(4)));

    // A third start reads the same topic: still writing, the same two values counted once each.
    second.close();
    LedgerWriter third = startWriter(group);
    assertThat(third.head().orElseThrow().size()).isEqualTo(3);
    assertThat(third.injectedCount()).isEqualTo(2);
  }

  @Test
  void start_ledgerTopicHoldsOnlyAnotherKeysRecords_refusesToStartASecondChain() {
    Topics.writeValues(kafka.bootstrapServers(), ledger, Chains.build(TestKeys.signer(), 2));

    LedgerWriter writer = newWriter("group-" + UUID.randomUUID());
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.CHAIN_INVALID);
    assertThat(writer.head()).isEmpty();
  }

  private LedgerWriter startWriter(String groupId) {
    LedgerWriter writer = newWriter(groupId);
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.WRITING);
    return writer;
  }

  private LedgerWriter newWriter(String groupId) {
    WriterSettings settings =
        new WriterSettings(
            kafka.bootstrapServers(),
            Map.of(triggers, LedgerRecord.Kind.TRIGGER),
            ledger,
            groupId,
            transactionalId,
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            CheckpointPolicy.defaults(ledger));
    LedgerWriter writer = new LedgerWriter(settings, signer, Clock.systemUTC());
    writers.add(writer);
    return writer;
  }

  private void sendTrigger(String id) {
    // One key: one partition, so events are read in the order they were sent.
    Topics.send(
        kafka.bootstrapServers(),
        triggers,
        "acme/payments",
        Topics.ceHeaders(EventType.TRIGGER, id),
        Chains.triggerData("github:" + id));
  }

  private void awaitLedgerSize(int size) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> Topics.values(kafka.bootstrapServers(), ledger).size() >= size);
  }

  private static List<String> eventIds(List<byte[]> values) {
    return values.stream().map(v -> Chains.tree(v).get("eventId").asText()).toList();
  }

  private void assertChainVerifies(List<byte[]> values) throws ChainException {
    ChainVerifier verifier = ChainVerifier.trusting(List.of(signer.publicKey()));
    for (byte[] value : values) {
      verifier.verifyNext(value);
    }
  }
}
