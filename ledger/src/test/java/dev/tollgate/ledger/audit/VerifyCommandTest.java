package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
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
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The auditor's {@code verify} in-process against ledger topics on a real broker. */
class VerifyCommandTest {

  /** What verify says of a ledger none of whose checkpoints states source offset ranges. */
  private static final String NOT_ACCOUNTED =
      "SOURCES: no checkpoint states source offset ranges (an empty ledger, or one written before"
          + " source accounting): completeness is not proven\n";

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;
  private static List<byte[]> chain;
  private static String ledger;

  @BeforeAll
  static void writeLedger(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    LedgerSigner signer = keys.signer();
    chain = Chains.build(signer, 5);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), ledger, chain);
  }

  @Test
  void verify_untouchedLedger_exitsZeroNamingTheHead() {
    Run run = verify(ledger, keys.publicKey());

    assertThat(run.exitCode).isEqualTo(0);
    assertThat(run.out)
        .isEqualTo(
            "OK: 5 records verified, head seq 4 "
                + LedgerRecord.recordHash(Chains.tree(chain.get(4)))
                + "; signatures: 5 verified individually, 0 authenticated by checkpoints\n"
                + NOT_ACCOUNTED);
  }

  @Test
  void verify_copyWithOneFlippedByte_exitsOneNamingThatSeq() {
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              values.set(3, Topics.flipByte(values.get(3), values.get(3).length / 2));
              return values;
            });

    Run run = verify(copy, keys.publicKey());

    assertThat(run.exitCode).isEqualTo(1);
    assertThat(run.out).startsWith("FAIL at seq 3: ");
  }

  @Test
  void verify_copyWithOneRecordMissing_exitsOneNamingTheMissingSeq() {
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              values.remove(2);
              return values;
            });

    Run run = verify(copy, keys.publicKey());

    assertThat(run.exitCode).isEqualTo(1);
    assertThat(run.out).isEqualTo("FAIL at seq 2: SEQ_MISMATCH: expected seq 2, found 3\n");
  }

  @Test
  void verify_onlyAnotherKeyTrusted_exitsOneWithUnknownKey(@TempDir Path otherKey) {
    Run run = verify(ledger, TestKeys.generate(otherKey).publicKey());

    assertThat(run.exitCode).isEqualTo(1);
    assertThat(run.out).startsWith("FAIL at seq 0: UNKNOWN_KEY: ");
  }

  @Test
  void verify_severalKeysOneOfThemTheSigner_exitsZero(@TempDir Path otherKey) {
    Run run =
        run(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            TestKeys.generate(otherKey).publicKey().toString(),
            "--public-key",
            keys.publicKey().toString());

    assertThat(run.exitCode).isEqualTo(0);
  }

  @Test
  void verify_emptyLedger_exitsZero() {
    Run run = verify(SharedKafka.newTopic(EventType.LEDGER_RECORD), keys.publicKey());

    assertThat(run.exitCode).isEqualTo(0);
    assertThat(run.out)
        .isEqualTo(
            "OK: 0 records verified, empty ledger; signatures: 0 verified individually, 0"
                + " authenticated by checkpoints\n"
                + NOT_ACCOUNTED);
  }

  @Test
  void verify_topicDoesNotExist_exitsTwo() {
    Run run = verify("no.such.topic", keys.publicKey());

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err).contains("no.such.topic");
    assertThat(run.out).isEmpty();
  }

  @Test
  void verify_brokerUnreachable_exitsTwo() {
    Run run =
        run(
            "verify",
            "--bootstrap-server",
            "127.0.0.1:1",
            "--public-key",
            keys.publicKey().toString(),
            "--timeout",
            "PT2S");

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.out).isEmpty();
  }

  @Test
  void verify_publicKeyMissing_exitsTwoWithUsage() {
    Run run = run("verify", "--bootstrap-server", kafka.bootstrapServers());

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err).contains("--public-key");
  }

  @Test
  void verify_privateKeyGivenAsPublicKey_exitsTwo() {
    Run run = verify(ledger, keys.privateKey());

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err).contains("not an Ed25519 public key");
  }

  @Test
  void main_noSubcommand_exitsTwo() {
    assertThat(run().exitCode).isEqualTo(2);
  }

  private static Run verify(String topic, Path publicKey) {
    return run(
        "verify",
        "--bootstrap-server",
        kafka.bootstrapServers(),
        "--topic",
        topic,
        "--public-key",
        publicKey.toString());
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = AuditorCommand.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  /** What one run printed and returned. */
  record Run(int exitCode, String out, String err) {}
}
