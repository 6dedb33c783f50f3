package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export}, {@code verify --from-export}, {@code replay} and the truncated-tail checks, over
 * a ledger of 9 trigger records with a checkpoint after every 3 (seqs 3, 7 and 11).
 */
class ExportReplayTest {

  private static final String ORIGIN = "tollgate.dev/ledger/test";

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;
  private static List<byte[]> chain;
  private static String ledger;

  @TempDir Path tmp;

  @BeforeAll
  static void writeLedger(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    LedgerSigner signer = keys.signer();
    chain = Chains.buildWithCheckpoints(signer, 9, 3, ORIGIN);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), ledger, chain);
  }

  private Path export() {
    Path dir = tmp.resolve("export");
    Run run =
        VerifyCommandTest.run(
            "export",
            dir.toString(),
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString(),
            "--quiet");
    assertThat(run.exitCode()).as(run.err()).isZero();
    return dir;
  }

  @Test
  void export_thenVerifyFromExport_exitsZeroOfflineWithTheFirstPublicKey() throws Exception {
    Path dir = export();

    assertThat(Files.readAllLines(dir.resolve("records.jsonl"), StandardCharsets.UTF_8))
        .hasSize(12);
    assertThat(dir.resolve("checkpoints/11.checkpoint")).exists();
    assertThat(dir.resolve("keys/" + keys.signer().publicKey().keyId() + ".pem")).exists();
    Run run =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            dir.toString(),
            "--public-key",
            keys.publicKey().toString(),
            "--json");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    JsonNode result = Json.readTree(run.out().getBytes(StandardCharsets.UTF_8));
    assertThat(result.get("ok").asBoolean()).isTrue();
    assertThat(result.get("size").asLong()).isEqualTo(12);
    assertThat(result.get("checkpoints").asLong()).isEqualTo(3);
    assertThat(run.err()).contains("verified 12 records");
  }

  @Test
  void verifyFromExport_truncatedTail_failsTruncatedAtTheFirstMissingSeq() throws Exception {
    Path dir = export();
    List<String> lines = Files.readAllLines(dir.resolve("records.jsonl"), StandardCharsets.UTF_8);
    Files.write(dir.resolve("records.jsonl"), lines.subList(0, 10), StandardCharsets.UTF_8);

    Run run =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            dir.toString(),
            "--public-key",
            keys.publicKey().toString(),
            "--quiet");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 10: TRUNCATED: ");
  }

  @Test
  void verifyFromExport_checkpointFileAltered_failsAtThatCheckpoint() throws Exception {
    Path dir = export();
    Files.writeString(dir.resolve("checkpoints/7.checkpoint"), "tampered\n");

    Run run =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            dir.toString(),
            "--public-key",
            keys.publicKey().toString(),
            "--quiet");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 7: CHECKPOINT_INVALID: ");
  }

  @Test
  void verify_topicTruncatedBelowACheckpointSeenBefore_failsTruncatedAtTheNewEnd()
      throws Exception {
    Path seen = tmp.resolve("seen.checkpoint");
    JsonNode lastCheckpoint = Chains.tree(chain.get(11)).get("payload");
    Files.writeString(seen, lastCheckpoint.get("note").asText(), StandardCharsets.UTF_8);
    String truncated =
        Topics.copyLedger(kafka, ledger, values -> new ArrayList<>(values.subList(0, 9)));

    Run run =
        VerifyCommandTest.run(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            truncated,
            "--public-key",
            keys.publicKey().toString(),
            "--checkpoint",
            seen.toString(),
            "--quiet");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 9: TRUNCATED: ");
    Run whole =
        VerifyCommandTest.run(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString(),
            "--checkpoint",
            seen.toString(),
            "--quiet");
    assertThat(whole.exitCode()).as(whole.out() + whole.err()).isZero();
  }

  @Test
  void verify_json_failureNamesSeqAndReasonOnStdoutOnly() throws Exception {
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              values.set(5, values.get(4));
              return values;
            });

    Run run =
        VerifyCommandTest.run(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            copy,
            "--public-key",
            keys.publicKey().toString(),
            "--json");

    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode result = Json.readTree(run.out().getBytes(StandardCharsets.UTF_8));
    assertThat(result.get("ok").asBoolean()).isFalse();
    assertThat(result.get("seq").asLong()).isEqualTo(5);
    assertThat(result.get("reason").asText()).isEqualTo("SEQ_MISMATCH");
  }

  @Test
  void replay_kindAndSeqFilters_printsOnlyMatchingRecordsVerified() throws Exception {
    Path dir = export();

    Run checkpoints =
        VerifyCommandTest.run(
            "replay",
            "--from-export",
            dir.toString(),
            "--public-key",
            keys.publicKey().toString(),
            "--kind",
            "checkpoint");
    Run range =
        VerifyCommandTest.run(
            "replay",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString(),
            "--from-seq",
            "4",
            "--to-seq",
            "5",
            "--json");

    assertThat(checkpoints.exitCode()).as(checkpoints.err()).isZero();
    assertThat(checkpoints.out().lines().toList())
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).contains("checkpoint"))
        .anySatisfy(l -> assertThat(l).startsWith("#11").contains("size=11"));
    assertThat(range.exitCode()).isZero();
    assertThat(range.out().lines().map(l -> Chains.tree(l.getBytes(StandardCharsets.UTF_8))))
        .extracting(r -> r.get("seq").asLong())
        .containsExactly(4L, 5L);
    assertThat(range.err()).contains("2 of 12 records shown, all verified");
  }

  @Test
  void replay_triggerFilter_printsTheRecordsOfThatTrigger() {
    Run run =
        VerifyCommandTest.run(
            "replay",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString(),
            "--trigger",
            "github:event-4");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().lines().toList())
        .singleElement()
        .satisfies(l -> assertThat(l).contains("event-4").contains("trigger=github:event-4"));
  }
}
