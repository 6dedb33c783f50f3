package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values someone else produced onto the ledger topic (issue 15: {@code {"garbage":true}} from the
 * console producer) never make the ledger unverifiable: {@code verify} and {@code replay} report
 * each as injected, where and what, and verify the ledger's own chain across them. A value signed
 * by the ledger key that breaks the chain is still a failure.
 */
class InjectedRecordsAuditTest {

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;
  private static List<byte[]> chain;
  private static String ledger;

  /** Offsets 0-1: seq 0-1; 2-5: injected; 6-8: seq 2-4. */
  @BeforeAll
  static void writeLedgerWithInjections(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    LedgerSigner signer = keys.signer();
    chain = Chains.build(signer, 5);
    List<byte[]> topic = new ArrayList<>(chain.subList(0, 2));
    topic.add("{\"garbage\":true}".getBytes(StandardCharsets.UTF_8));
    topic.add(new byte[] {(byte) 0xc3, 0x28, 0x00});
    topic.add(Chains.build(TestKeys.signer(), 3).get(2));
    topic.add(chain.get(0));
    topic.addAll(chain.subList(2, 5));
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), ledger, topic);
  }

  @Test
  void verify_garbageAndForeignRecordsInTheMiddle_passesTheChainAndListsThem() {
    Run run = VerifyCommandTest.run(args("verify"));

    assertThat(run.exitCode()).isEqualTo(0);
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0))
        .isEqualTo(
            "OK: 5 records verified, head seq 4 "
                + LedgerRecord.recordHash(Chains.tree(chain.get(4)))
                // The checkpoint pass accepts no anomaly: the pass that verifies every signature
                // tells injected values from breaks.
                + "; signatures: every record's verified individually (the checkpoint pass"
                + " stopped at seq 2: INVALID_RECORD)"
                + "; 4 injected values skipped (not the ledger's records, listed below)");
    // Then the source accounting: this chain was written without checkpoints stating sources.
    assertThat(lines.get(lines.size() - 1)).startsWith("SOURCES: no checkpoint states");
    assertThat(lines.subList(1, lines.size() - 1))
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .isEqualTo(
                        "INJECTED at offset 2: NOT_A_RECORD: carries no ledger key id and signature"),
            l -> assertThat(l).startsWith("INJECTED at offset 3: NOT_JSON: "),
            l ->
                assertThat(l)
                    .startsWith("INJECTED at offset 4: UNKNOWN_KEY: signed by key ")
                    .doesNotContain(keys.signer().publicKey().keyId() + ","),
            l ->
                assertThat(l)
                    .isEqualTo(
                        "INJECTED at offset 5: REPLAYED: a byte-for-byte copy of the ledger's record"
                            + " seq 0"));
  }

  @Test
  void verify_json_listsInjectedOffsetsAndReasons() {
    Run run = VerifyCommandTest.run(args("verify", "--json"));

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat(Chains.tree(run.out().getBytes(StandardCharsets.UTF_8)).path("size").asLong())
        .isEqualTo(5);
    assertThat(Chains.tree(run.out().getBytes(StandardCharsets.UTF_8)).path("injected"))
        .extracting(i -> i.path("offset").asLong() + ":" + i.path("reason").asText())
        .containsExactly("2:NOT_A_RECORD", "3:NOT_JSON", "4:UNKNOWN_KEY", "5:REPLAYED");
  }

  @Test
  void replay_injectedValues_reportedInPlaceAndEveryRecordShown() {
    Run run = VerifyCommandTest.run(args("replay"));

    assertThat(run.exitCode()).isEqualTo(0);
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(9);
    assertThat(lines.get(2)).startsWith("INJECTED at offset 2: NOT_A_RECORD");
    assertThat(lines.get(5)).startsWith("INJECTED at offset 5: REPLAYED");
    assertThat(run.err()).contains("5 of 5 records shown").contains("4 injected values skipped");
  }

  @Test
  void verify_recordSignedByTheLedgerKeyThatBreaksTheChain_failsNotInjected() {
    // The ledger's own signature on a record that does not extend the chain: a chain failure.
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              List<byte[]> withFork = new ArrayList<>(values);
              List<dev.tollgate.ledger.chain.SourceEvent> other = new ArrayList<>();
              for (int i = 0; i < 6; i++) {
                other.add(Chains.trigger("other-" + i, i));
              }
              // Seq 5 of another history signed by the same key: a fork.
              withFork.add(Chains.build(keys.signer(), other).get(5));
              return withFork;
            });

    Run run =
        VerifyCommandTest.run(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            copy,
            "--public-key",
            keys.publicKey().toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 5: PREV_MISMATCH: ");
  }

  private static String[] args(String command, String... more) {
    List<String> all =
        new ArrayList<>(
            List.of(
                command,
                "--bootstrap-server",
                kafka.bootstrapServers(),
                "--topic",
                ledger,
                "--public-key",
                keys.publicKey().toString()));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
