package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.audit.AuditorCommand;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The writer appending checkpoints by count and by time, and verifying them on restart. */
class CheckpointWriterTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<LedgerWriter> writers = new ArrayList<>();
  private EmbeddedKafka kafka;
  private TestKeys.KeyFiles keys;
  private LedgerSigner signer;
  private String triggers;
  private String ledger;

  @BeforeEach
  void topics(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    signer = keys.signer();
    triggers = SharedKafka.newTopic(EventType.TRIGGER);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
  }

  @AfterEach
  void stopWriters() {
    writers.forEach(LedgerWriter::close);
  }

  @Test
  void append_everyThreeRecords_checkpointFollowsAndTheAuditorPasses() throws Exception {
    LedgerWriter writer = startWriter(new CheckpointPolicy("example.test/ledger", 3, WAIT));
    for (int i = 0; i < 7; i++) {
      sendTrigger("c" + i);
    }
    awaitLedgerSize(9);

    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    assertThat(kinds(values))
        .containsExactly(
            "trigger",
            "trigger",
            "trigger",
            "checkpoint",
            "trigger",
            "trigger",
            "trigger",
            "checkpoint",
            "trigger");
    assertThat(Chains.tree(values.get(3)).get("eventId").asText()).isEqualTo("checkpoint:3");
    assertThat(Chains.tree(values.get(7)).get("payload").get("size").asLong()).isEqualTo(7);
    assertThat(Chains.tree(values.get(7)).has("source")).isFalse();
    assertThat(writer.committed().orElseThrow().checkpoint().orElseThrow().size()).isEqualTo(7);
    assertThat(audit()).startsWith("OK: 9 records verified, ").contains("2 checkpoints");

    // A restart verifies the stored checkpoints and goes on from the last one.
    writer.close();
    LedgerWriter second = startWriter(new CheckpointPolicy("example.test/ledger", 3, WAIT));
    assertThat(second.committed().orElseThrow().checkpoint().orElseThrow().size()).isEqualTo(7);
    sendTrigger("c7");
    sendTrigger("c8");
    awaitLedgerSize(12);
    assertThat(kinds(Topics.values(kafka.bootstrapServers(), ledger)).get(11))
        .isEqualTo("checkpoint");
    assertThat(audit()).startsWith("OK: 12 records verified, ").contains("3 checkpoints");
  }

  @Test
  void append_intervalPassed_checkpointsOnceAndNotAgainWhileIdle() throws Exception {
    startWriter(new CheckpointPolicy("example.test/ledger", 1000, Duration.ofMillis(700)));
    sendTrigger("t0");
    awaitLedgerSize(2);

    Thread.sleep(2000);

    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    assertThat(kinds(values)).containsExactly("trigger", "checkpoint");
    assertThat(Chains.tree(values.get(1)).get("payload").get("size").asLong()).isEqualTo(1);
  }

  @Test
  void start_storedCheckpointOfAnotherOrigin_refusesToWrite() throws Exception {
    Topics.writeValues(
        kafka.bootstrapServers(),
        ledger,
        Chains.buildWithCheckpoints(signer, 2, 2, "example.test/old-name"));

    LedgerWriter writer = newWriter(new CheckpointPolicy("example.test/ledger", 3, WAIT));
    writer.start();

    await().atMost(WAIT).until(() -> writer.state() == WriterState.CHAIN_INVALID);
    assertThat(writer.committed()).isEmpty();
  }

  private String audit() {
    StringWriter out = new StringWriter();
    CommandLine auditor = AuditorCommand.commandLine();
    auditor.setOut(new PrintWriter(out));
    int exitCode =
        auditor.execute(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString(),
            "--origin",
            "example.test/ledger");
    assertThat(exitCode).as(out.toString()).isEqualTo(0);
    return out.toString();
  }

  private LedgerWriter startWriter(CheckpointPolicy policy) {
    LedgerWriter writer = newWriter(policy);
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.WRITING);
    return writer;
  }

  private LedgerWriter newWriter(CheckpointPolicy policy) {
    WriterSettings settings =
        new WriterSettings(
            kafka.bootstrapServers(),
            Map.of(triggers, LedgerRecord.Kind.TRIGGER),
            ledger,
            "group-" + UUID.randomUUID(),
            "test-writer-" + ledger,
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            policy);
    LedgerWriter writer = new LedgerWriter(settings, signer, Clock.systemUTC());
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

  private static List<String> kinds(List<byte[]> values) {
    return values.stream().map(v -> Chains.tree(v).get("kind").asText()).toList();
  }
}
