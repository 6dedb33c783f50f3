package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.testing.WitnessProcess;
import dev.tollgate.ledger.witness.CheckpointWitness;
import dev.tollgate.ledger.witness.CosignatureStore;
import dev.tollgate.ledger.witness.WitnessClient;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.schemas.cloudevents.EventType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor requiring witnesses, against the independent witness in {@code
 * ../shared/tools/tlog-witness}: an export carrying its cosignatures verifies with the witness keys
 * alone; receipts carry and require them; a rolled-back or forked ledger is refused by the witness
 * and the auditor says why.
 */
class WitnessAuditTest {

  private static final String ORIGIN = "tollgate.dev/ledger/witnessed";

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;

  /** 9 triggers with a checkpoint after every 3: 12 records, checkpoints of 3, 7 and 11. */
  private static List<byte[]> chain;

  private static String genuine;

  @TempDir Path tmp;

  private WitnessProcess witness;
  private WitnessKey witnessKey;
  private CheckpointWitness client;
  private CosignatureStore store;

  @BeforeAll
  static void writeLedger(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    chain = Chains.buildWithCheckpoints(keys.signer(), 9, 3, ORIGIN);
    genuine = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), genuine, chain);
  }

  @BeforeEach
  void startWitness() throws Exception {
    Path state = Files.createDirectory(tmp.resolve("witness"));
    witness = WitnessProcess.start(state, "witness.test/w1", noteKey().vkey());
    witnessKey = WitnessKey.parse(witness.vkey());
    client =
        new CheckpointWitness(new WitnessClient(witness.url(), witnessKey, Duration.ofSeconds(10)));
    store = CosignatureStore.in(tmp.resolve("data"));
  }

  @AfterEach
  void stopWitness() {
    if (witness != null) {
      witness.close();
    }
  }

  @Test
  void verifyFromExport_everyCheckpointCosigned_verifiesWithTheWitnessKeyAlone() throws Exception {
    cosign(chain, 3, 7, 11);
    Path dir = tmp.resolve("export");

    Run export = export(genuine, dir, true, "--witness-key", witness.vkey());
    Run verify =
        VerifyCommandTest.run(
            "verify", "--from-export", dir.toString(), "--witness-key", witness.vkey(), "--quiet");

    assertThat(export.exitCode()).as(export.out() + export.err()).isZero();
    assertThat(export.out()).contains("3 cosigned checkpoint(s), witnessed up to size 11");
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out())
        .startsWith("OK: 12 records verified")
        // Then the source accounting, which this chain (written without sources) cannot prove.
        // The checkpoint record at seq 11 is the one record no checkpoint covers.
        .contains(
            "witnessed up to size 11 by [witness.test/w1]; signatures: 1 verified individually,"
                + " 11 authenticated by checkpoints\nSOURCES: ");
    assertThat(witness.verifyCosignature(dir.resolve("cosignatures/11.checkpoint")))
        .as("the witness's own verify-cosignature on the exported note")
        .isZero();
  }

  @Test
  void verifyFromExport_latestCheckpointNotCosigned_failsQuorumNotMet() throws Exception {
    cosign(chain, 3, 7);
    Path dir = tmp.resolve("export");
    assertThat(export(genuine, dir, true).exitCode()).isZero();

    Run verify =
        VerifyCommandTest.run(
            "verify", "--from-export", dir.toString(), "--witness-key", witness.vkey(), "--quiet");

    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(1);
    assertThat(verify.out())
        .startsWith("FAIL at seq 11: ")
        .contains("QUORUM_NOT_MET")
        .contains("only the one of size 7");
  }

  @Test
  void verifyFromExport_noCosignatures_failsQuorumNotMetSayingNothingShowsTheWitnessesSawIt() {
    Path dir = tmp.resolve("export");
    assertThat(export(genuine, dir, false).exitCode()).isZero();

    Run verify =
        VerifyCommandTest.run(
            "verify", "--from-export", dir.toString(), "--witness-key", witness.vkey(), "--quiet");

    assertThat(verify.exitCode()).isEqualTo(1);
    assertThat(verify.out()).contains("QUORUM_NOT_MET").contains("holds no cosigned checkpoint");
  }

  @Test
  void forkedLedger_witnessRefusesAndTheAuditorReportsTheMissingQuorumAndTheFork()
      throws Exception {
    cosign(chain, 3, 7, 11);
    // Another history under the same key: what a key holder rewriting the ledger would publish.
    List<byte[]> fork = build("rewritten-", 15);
    String forked = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), forked, fork);
    Checkpoint forkLatest = lastCheckpoint(fork);

    Assertions.assertThatThrownBy(() -> client.cosign(forkLatest, tree(fork)::consistencyProof))
        .as("the witness refuses the fork's checkpoint")
        .isInstanceOf(WitnessException.class)
        .extracting(e -> ((WitnessException) e).reason())
        .isEqualTo(WitnessException.Reason.ROLLBACK);

    Path plain = tmp.resolve("fork-export");
    assertThat(export(forked, plain, false).exitCode()).isZero();
    Run verify =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            plain.toString(),
            "--witness-key",
            witness.vkey(),
            "--quiet");
    assertThat(verify.exitCode()).isEqualTo(1);
    assertThat(verify.out()).contains("QUORUM_NOT_MET");

    Run withKept =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            plain.toString(),
            "--checkpoint",
            write("kept.checkpoint", store.note(11).orElseThrow()).toString(),
            "--witness-key",
            witness.vkey(),
            "--quiet");
    assertThat(withKept.exitCode()).as(withKept.out() + withKept.err()).isEqualTo(1);
    assertThat(withKept.out()).contains("CHECKPOINT_ROOT_MISMATCH");

    Run exportWithCosignatures = export(forked, tmp.resolve("fork-export-2"), true);
    assertThat(exportWithCosignatures.exitCode()).isEqualTo(1);
    assertThat(exportWithCosignatures.out())
        .contains("CHECKPOINT_INVALID")
        .contains("another tree (a fork)");
  }

  @Test
  void verifyWithWitnessUrl_truncatedLedgerWithItsLaterCosignaturesRemoved_failsTruncated()
      throws Exception {
    cosign(chain, 3, 7, 11);
    // Cut back to the checkpoint of 7, and the cosignatures of 11 thrown away with the records.
    String truncated = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), truncated, chain.subList(0, 8));
    Files.delete(CosignatureStore.file(cosignatures(), 11));
    Path dir = tmp.resolve("export");
    assertThat(export(truncated, dir, true).exitCode()).isZero();

    Run alone =
        VerifyCommandTest.run(
            "verify", "--from-export", dir.toString(), "--witness-key", witness.vkey(), "--quiet");
    Run asked =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            dir.toString(),
            "--witness-key",
            witness.vkey(),
            "--witness-url",
            witness.url().toString(),
            "--quiet");

    assertThat(alone.out())
        .as("what the export holds is consistent: only the witness itself knows it saw more")
        .startsWith("OK: 8 records verified");
    assertThat(asked.exitCode()).as(asked.out() + asked.err()).isEqualTo(1);
    assertThat(asked.out())
        .startsWith("FAIL at seq 8: TRUNCATED")
        .contains("a checkpoint of 11 records was seen before");
  }

  @Test
  void verifyWithWitnessUrl_genuineLedger_reproducesTheWitnessesLatestCheckpoint()
      throws Exception {
    cosign(chain, 3, 7, 11);
    Path dir = tmp.resolve("export");
    assertThat(export(genuine, dir, true).exitCode()).isZero();

    Run asked =
        VerifyCommandTest.run(
            "verify",
            "--from-export",
            dir.toString(),
            "--witness-key",
            witness.vkey(),
            "--witness-url",
            witness.url().toString(),
            "--quiet");

    assertThat(asked.exitCode()).as(asked.out() + asked.err()).isZero();
    assertThat(asked.out()).contains("witnessed up to size 11");
  }

  @Test
  void export_truncatedLedgerWithTheWritersCosignatures_failsTruncated() throws Exception {
    cosign(chain, 3, 7, 11);
    String truncated = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), truncated, chain.subList(0, 8));

    Run export = export(truncated, tmp.resolve("export"), true);

    assertThat(export.exitCode()).as(export.out() + export.err()).isEqualTo(1);
    assertThat(export.out()).startsWith("FAIL at seq 8: TRUNCATED").contains("of 11");
  }

  @Test
  void proveAndVerifyReceipt_cosignedCheckpoint_receiptCarriesAndRequiresTheQuorum()
      throws Exception {
    cosign(chain, 3, 7, 11);
    Path kept = write("cosigned.checkpoint", store.note(11).orElseThrow());
    Path entry = tmp.resolve("entry.json");

    Run prove =
        VerifyCommandTest.run(
            "prove",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            genuine,
            "--public-key",
            keys.publicKey().toString(),
            "--seq",
            "5",
            "--checkpoint",
            kept.toString(),
            "--witness-key",
            witness.vkey(),
            "--entry-out",
            entry.toString());
    assertThat(prove.exitCode()).as(prove.out() + prove.err()).isZero();
    Path receipt = write("receipt.txt", prove.out());

    Run verified = verifyReceipt(receipt, entry, witness.vkey());
    WitnessKey absent =
        WitnessKey.of(
            "witness.test/absent",
            LedgerPublicKey.of(
                KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()));
    Run missing = verifyReceipt(receipt, entry, absent.vkey());

    assertThat(verified.exitCode()).as(verified.out() + verified.err()).isZero();
    assertThat(verified.out()).contains("cosigned by [witness.test/w1]");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.out()).startsWith("FAIL at the receipt's checkpoint: QUORUM_NOT_MET");
  }

  @Test
  void prove_witnessKeyWithoutCosignedCheckpoint_failsSayingWhereToGetOne() {
    Run prove =
        VerifyCommandTest.run(
            "prove",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            genuine,
            "--public-key",
            keys.publicKey().toString(),
            "--seq",
            "5",
            "--witness-key",
            witness.vkey());

    assertThat(prove.exitCode()).isEqualTo(1);
    assertThat(prove.out()).contains("QUORUM_NOT_MET").contains("GET /ledger/v1/checkpoint");
  }

  private Run verifyReceipt(Path receipt, Path entry, String vkey) {
    return VerifyCommandTest.run(
        "verify-receipt",
        "--receipt",
        receipt.toString(),
        "--entry",
        entry.toString(),
        "--public-key",
        keys.publicKey().toString(),
        "--witness-key",
        vkey);
  }

  /**
   * Has the witness cosign the chain's checkpoints of these sizes, in order, as the writer does.
   */
  private void cosign(List<byte[]> records, long... sizes) throws Exception {
    MerkleTree tree = tree(records);
    for (long size : sizes) {
      Checkpoint checkpoint = checkpointOfSize(records, size);
      store.add(checkpoint, client.cosign(checkpoint, tree::consistencyProof));
    }
  }

  private Run export(String topic, Path dir, boolean withCosignatures, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "export",
                dir.toString(),
                "--bootstrap-server",
                kafka.bootstrapServers(),
                "--topic",
                topic,
                "--public-key",
                keys.publicKey().toString(),
                "--quiet"));
    if (withCosignatures) {
      args.addAll(List.of("--cosignatures", cosignatures().toString()));
    }
    args.addAll(List.of(more));
    return VerifyCommandTest.run(args.toArray(String[]::new));
  }

  private Path cosignatures() {
    return tmp.resolve("data").resolve(CosignatureStore.DIRECTORY);
  }

  private Path write(String name, String text) {
    try {
      return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code events} triggers named {@code prefix<i>} with a checkpoint after every 3. */
  private static List<byte[]> build(String prefix, int events) throws Exception {
    LedgerVerifier ledger =
        LedgerVerifier.trusting(
            List.of(keys.signer().publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());
    CheckpointIssuer issuer = new CheckpointIssuer(ORIGIN, keys.signer());
    Instant time = Instant.parse("2026-12-01T00:00:00Z");
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      byte[] value =
          RecordBuilder.build(
              ledger.head(), Chains.trigger(prefix + i, i), time.plusSeconds(i), keys.signer());
      ledger.verifyNext(value);
      values.add(value);
      if ((i + 1) % 3 == 0) {
        ChainHead head = ledger.head();
        Checkpoint checkpoint = issuer.issue(ledger.tree(), head.size(), ledger.lastCheckpoint());
        byte[] record =
            RecordBuilder.checkpoint(
                head, checkpoint.toPayload(), time.plusSeconds(i), keys.signer());
        ledger.verifyNext(record);
        values.add(record);
      }
    }
    return values;
  }

  private static MerkleTree tree(List<byte[]> records) {
    MerkleTree tree = MerkleTree.inMemory();
    records.forEach(tree::append);
    return tree;
  }

  private static Checkpoint checkpointOfSize(List<byte[]> records, long size) throws Exception {
    return open(records.get((int) size));
  }

  private static Checkpoint lastCheckpoint(List<byte[]> records) throws Exception {
    for (int i = records.size() - 1; ; i--) {
      if (Chains.tree(records.get(i)).get("kind").asText().equals("checkpoint")) {
        return open(records.get(i));
      }
    }
  }

  private static Checkpoint open(byte[] record) throws Exception {
    return Checkpoint.open(Chains.tree(record).get("payload").get("note").asText(), noteKey());
  }

  private static NoteKey noteKey() {
    return NoteKey.of(ORIGIN, keys.signer().publicKey());
  }
}
