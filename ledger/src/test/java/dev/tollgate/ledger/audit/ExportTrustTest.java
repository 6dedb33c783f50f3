package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.testing.WitnessProcess;
import dev.tollgate.ledger.witness.CheckpointWitness;
import dev.tollgate.ledger.witness.Cosignature;
import dev.tollgate.ledger.witness.WitnessClient;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.schemas.cloudevents.EventType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export is trusted only from outside itself: whoever forges an export also writes the keys in
 * it. {@code verify --from-export} takes the ledger's first public key, or a checkpoint the auditor
 * kept with a quorum of witness cosignatures (from the independent witness in {@code
 * ../shared/tools/tlog-witness}), which the exported chain must reproduce.
 */
class ExportTrustTest {

  private static final String ORIGIN = "tollgate.dev/ledger/test";

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;
  private static TestKeys.KeyFiles forgerKeys;
  private static List<byte[]> chain;
  private static String genuine;
  private static String forged;

  @TempDir Path tmp;

  @BeforeAll
  static void writeLedgers(@TempDir Path keyDir, @TempDir Path forgerDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    forgerKeys = TestKeys.generate(forgerDir);
    chain = Chains.buildWithCheckpoints(keys.signer(), 9, 3, ORIGIN);
    genuine = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), genuine, chain);
    forged = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(
        kafka.bootstrapServers(),
        forged,
        Chains.buildWithCheckpoints(forgerKeys.signer(), 9, 3, ORIGIN));
  }

  @Test
  void verifyFromExport_withoutOutsideTrust_usageErrorSayingWhatToGive() {
    Path dir = export(genuine, keys, "genuine");

    Run run = VerifyCommandTest.run("verify", "--from-export", dir.toString(), "--quiet");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("an export's own keys prove nothing").contains("--public-key");
  }

  @Test
  void verifyFromExport_forgedExportWithItsOwnKeys_failsUnderTheFirstPublicKey() {
    Path dir = export(forged, forgerKeys, "forged");

    Run run =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            dir.toString(),
            "--public-key",
            keys.publicKey().toString(),
            "--quiet");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 0: UNKNOWN_KEY: ");
  }

  @Test
  void verifyFromExport_keptCheckpointWithWitnessQuorum_verifiesWithoutPublicKey()
      throws Exception {
    Path state = Files.createDirectory(tmp.resolve("witness"));
    try (WitnessProcess witness =
        WitnessProcess.start(state, "witness.test/w1", noteKey().vkey())) {
      Path kept = cosignedCheckpoint(witness);
      Path dir = export(genuine, keys, "genuine");

      Run run =
          VerifyCommandTest.run(
              "verify",
              "--from-export",
              dir.toString(),
              "--checkpoint",
              kept.toString(),
              "--witness-key",
              witness.vkey(),
              "--quiet");

      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
      assertThat(run.out()).startsWith("OK: 12 records verified");
    }
  }

  @Test
  void verifyFromExport_forgedExportAgainstKeptCosignedCheckpoint_fails() throws Exception {
    Path state = Files.createDirectory(tmp.resolve("witness"));
    try (WitnessProcess witness =
        WitnessProcess.start(state, "witness.test/w1", noteKey().vkey())) {
      Path kept = cosignedCheckpoint(witness);
      Path dir = export(forged, forgerKeys, "forged");

      Run run =
          VerifyCommandTest.run(
              "verify",
              "--from-export",
              dir.toString(),
              "--checkpoint",
              kept.toString(),
              "--witness-key",
              witness.vkey(),
              "--quiet");

      assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
      assertThat(run.out()).contains("CHECKPOINT_BAD_SIGNATURE");
    }
  }

  @Test
  void verifyFromExport_keptCheckpointWithoutCosignature_failsQuorumNotMet() throws Exception {
    Path kept = tmp.resolve("kept.checkpoint");
    Files.writeString(kept, lastCheckpoint().note(), StandardCharsets.UTF_8);
    WitnessKey absent =
        WitnessKey.of(
            "witness.test/absent",
            dev.tollgate.ledger.chain.LedgerPublicKey.of(
                java.security.KeyPairGenerator.getInstance("Ed25519")
                    .generateKeyPair()
                    .getPublic()));
    Path dir = export(genuine, keys, "genuine");

    Run run =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            dir.toString(),
            "--checkpoint",
            kept.toString(),
            "--witness-key",
            absent.vkey(),
            "--quiet");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at checkpoint ").contains("QUORUM_NOT_MET");
  }

  private static NoteKey noteKey() {
    LedgerSigner signer = keys.signer();
    return NoteKey.of(ORIGIN, signer.publicKey());
  }

  private static Checkpoint lastCheckpoint() throws Exception {
    String note = Chains.tree(chain.get(11)).get("payload").get("note").asText();
    return Checkpoint.open(note, noteKey());
  }

  /** The last checkpoint of the genuine ledger, cosigned by the witness, as an auditor keeps it. */
  private Path cosignedCheckpoint(WitnessProcess witness) throws Exception {
    Checkpoint checkpoint = lastCheckpoint();
    CheckpointWitness client =
        new CheckpointWitness(
            new WitnessClient(
                witness.url(), WitnessKey.parse(witness.vkey()), Duration.ofSeconds(10)));
    Cosignature cosignature =
        client.cosign(
            checkpoint,
            (from, to) -> {
              throw new AssertionError("a first submission needs no proof");
            });
    SignedNote note = SignedNote.parse(checkpoint.note());
    List<SignedNote.Signature> lines = new ArrayList<>(note.signatures());
    lines.add(cosignature.line());
    Path kept = tmp.resolve("kept.checkpoint");
    Files.writeString(kept, new SignedNote(note.text(), lines).format(), StandardCharsets.UTF_8);
    return kept;
  }

  private Path export(String topic, TestKeys.KeyFiles trusted, String name) {
    Path dir = tmp.resolve(name);
    Run run =
        VerifyCommandTest.run(
            "export",
            dir.toString(),
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            topic,
            "--public-key",
            trusted.publicKey().toString(),
            "--quiet");
    assertThat(run.exitCode()).as(run.err()).isZero();
    return dir;
  }
}
