package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's data directory against the real broker: a restart resumes from it instead of reading
 * the whole topic, a missing or stale one is rebuilt or caught up, and a key rotation is appended,
 * signed by the old key, when the writer's key changes.
 */
class WriterDataDirTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  private final List<LedgerWriter> writers = new ArrayList<>();
  private EmbeddedKafka kafka;
  private LedgerSigner signer;
  private String triggers;
  private String ledger;
  private String transactionalId;
  private String group;
  private Path dataDir;

  @BeforeEach
  void topics() {
    kafka = SharedKafka.get();
    signer = TestKeys.signer();
    triggers = SharedKafka.newTopic(EventType.TRIGGER);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    transactionalId = "test-writer-" + UUID.randomUUID();
    // One group per test: every writer of a test resumes from the committed positions.
    group = "group-" + UUID.randomUUID();
    dataDir = tmp.resolve("data");
  }

  @AfterEach
  void stopWriters() {
    writers.forEach(LedgerWriter::close);
  }

  @Test
  void start_withDataDir_readsOnlyTheKeptHeadAndStillSkipsRecordedEvents() throws Exception {
    LedgerWriter first = start(signer, List.of(), dataDir);
    for (int i = 0; i < 5; i++) {
      sendTrigger("d" + i);
    }
    awaitLedgerSize(5);
    first.close();
    assertThat(first.recoveryReadCount()).isZero();

    LedgerWriter second = start(signer, List.of(), dataDir);
    assertThat(second.recoveryReadCount()).isEqualTo(1);
    CommittedLedger committed = second.committed().orElseThrow();
    assertThat(committed.size()).isEqualTo(5);
    assertThat(committed.tree().size()).isEqualTo(5);
    assertThat(committed.index().triggerId("github:d3")).containsExactly(3L);
    assertThat(committed.offset(4))
        .isEqualTo(Topics.readAll(kafka.bootstrapServers(), ledger).get(4).offset());
    sendTrigger("d1");
    sendTrigger("d5");
    // d5, and the checkpoint that states the redelivered d1's offset as a duplicate of seq 1
    awaitLedgerSize(7);
    await().atMost(WAIT).until(() -> second.duplicatesSkippedCount() >= 1);
    assertVerifies(Topics.values(kafka.bootstrapServers(), ledger), signer.publicKey(), 7);
  }

  @Test
  void start_dataDirBehindTheTopic_catchesUpFromTheKeptHead() throws Exception {
    LedgerWriter first = start(signer, List.of(), dataDir);
    sendTrigger("b0");
    sendTrigger("b1");
    awaitLedgerSize(2);
    first.close();
    Path behind = tmp.resolve("behind");
    copy(dataDir, behind);

    LedgerWriter second = start(signer, List.of(), dataDir);
    sendTrigger("b2");
    sendTrigger("b3");
    sendTrigger("b4");
    awaitLedgerSize(5);
    second.close();

    LedgerWriter third = start(signer, List.of(), behind);
    assertThat(third.recoveryReadCount()).isEqualTo(4);
    assertThat(third.committed().orElseThrow().size()).isEqualTo(5);
    assertThat(third.committed().orElseThrow().tree().rootHash(5))
        .isEqualTo(treeOf(Topics.values(kafka.bootstrapServers(), ledger)).rootHash(5));
  }

  @Test
  void start_dataDirMissing_rebuildsItFromTheWholeTopic() throws Exception {
    LedgerWriter first = start(signer, List.of(), dataDir);
    sendTrigger("m0");
    sendTrigger("m1");
    sendTrigger("m2");
    awaitLedgerSize(3);
    first.close();
    deleteTree(dataDir);

    LedgerWriter second = start(signer, List.of(), dataDir);
    assertThat(second.recoveryReadCount()).isEqualTo(3);
    second.close();
    LedgerWriter third = start(signer, List.of(), dataDir);
    assertThat(third.recoveryReadCount()).isEqualTo(1);
    assertThat(third.committed().orElseThrow().size()).isEqualTo(3);
  }

  @Test
  void start_topicReplacedUnderTheDataDir_refusesToWrite() throws Exception {
    LedgerWriter first = start(signer, List.of(), dataDir);
    sendTrigger("r0");
    sendTrigger("r1");
    awaitLedgerSize(2);
    first.close();
    // Another chain under the same data directory: a rewritten topic (a shorter valid chain).
    Topics.writeValues(
        kafka.bootstrapServers(),
        ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD),
        Chains.build(signer, 1));
    Files.writeString(
        dataDir.resolve("state.json"),
        Files.readString(dataDir.resolve("state.json"))
            .replaceAll("\"ledgerTopic\":\"[^\"]*\"", "\"ledgerTopic\":\"" + ledger + "\""));

    LedgerWriter second = newWriter(signer, List.of(), dataDir);
    second.start();
    await().atMost(WAIT).until(() -> second.state() == WriterState.CHAIN_INVALID);
    assertThat(Topics.values(kafka.bootstrapServers(), ledger)).hasSize(1);
  }

  @Test
  void start_newKeyWithOldKeyAsPrevious_appendsRotationSignedByOldKey() throws Exception {
    LedgerSigner newKey = TestKeys.signer();
    LedgerWriter first = start(signer, List.of(), dataDir);
    sendTrigger("k0");
    sendTrigger("k1");
    awaitLedgerSize(2);
    first.close();

    LedgerWriter second = start(newKey, List.of(signer), dataDir);
    sendTrigger("k2");
    awaitLedgerSize(4);
    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    assertThat(Chains.tree(values.get(2)).get("kind").asText()).isEqualTo("key-rotation");
    assertThat(Chains.tree(values.get(2)).get("keyId").asText())
        .isEqualTo(signer.publicKey().keyId());
    assertThat(Chains.tree(values.get(3)).get("keyId").asText())
        .isEqualTo(newKey.publicKey().keyId());
    assertVerifies(values, signer.publicKey(), 4);
    second.close();

    // The old key alone can no longer write: it is not in force.
    LedgerWriter stale = newWriter(signer, List.of(), dataDir);
    stale.start();
    await().atMost(WAIT).until(() -> stale.state() == WriterState.KEY_NOT_IN_FORCE);
  }

  @Test
  void start_newKeyRebuildingFromTheTopic_appendsRotationSignedByOldKey(@TempDir Path fresh)
      throws Exception {
    LedgerSigner newKey = TestKeys.signer();
    LedgerWriter first = start(signer, List.of(), dataDir);
    sendTrigger("r0");
    awaitLedgerSize(1);
    first.close();

    // An empty data directory: the writer rebuilds from the topic, trusting both keys at first.
    LedgerWriter second = start(newKey, List.of(signer), fresh);
    sendTrigger("r1");
    awaitLedgerSize(3);
    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    assertThat(Chains.tree(values.get(1)).get("kind").asText()).isEqualTo("key-rotation");
    assertVerifies(values, signer.publicKey(), 3);
    second.close();
  }

  private static void assertVerifies(List<byte[]> values, LedgerPublicKey firstKey, int size)
      throws Exception {
    LedgerVerifier verifier =
        LedgerVerifier.trusting(List.of(firstKey), Optional.empty(), MerkleTree.inMemory());
    for (byte[] value : values) {
      verifier.verifyNext(value);
    }
    assertThat(verifier.head().size()).isEqualTo(size);
  }

  private static MerkleTree treeOf(List<byte[]> values) {
    MerkleTree tree = MerkleTree.inMemory();
    values.forEach(tree::append);
    return tree;
  }

  private LedgerWriter start(LedgerSigner key, List<LedgerSigner> previous, Path dir) {
    LedgerWriter writer = newWriter(key, previous, dir);
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.WRITING);
    return writer;
  }

  private LedgerWriter newWriter(LedgerSigner key, List<LedgerSigner> previous, Path dir) {
    WriterSettings settings =
        new WriterSettings(
            kafka.bootstrapServers(),
            Map.of(triggers, LedgerRecord.Kind.TRIGGER),
            ledger,
            group,
            transactionalId,
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            CheckpointPolicy.defaults(ledger),
            Optional.of(dir));
    LedgerWriter writer = new LedgerWriter(settings, key, previous, Clock.systemUTC());
    writers.add(writer);
    return writer;
  }

  private void sendTrigger(String id) {
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

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
