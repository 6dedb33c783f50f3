package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor over ledgers with checkpoint records: {@code verify} checks each checkpoint, {@code
 * prove} and {@code verify-receipt} round-trip an offline receipt.
 */
class CheckpointAuditTest {

  private static final String ORIGIN = "tollgate.dev/ledger/audit-test";

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;
  private static LedgerSigner signer;
  private static List<byte[]> chain;
  private static String ledger;

  @TempDir Path dir;

  @BeforeAll
  static void writeLedger(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    signer = keys.signer();
    // seq 0-2 events, 3 checkpoint(3), 4-6 events, 7 checkpoint(7), 8 event.
    chain = Chains.buildWithCheckpoints(signer, 7, 3, ORIGIN);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), ledger, chain);
  }

  @Test
  void verify_ledgerWithCheckpoints_exitsZeroNamingTheLatest() {
    VerifyCommandTest.Run run = verify(ledger, "--origin", ORIGIN);

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat(run.out())
        .startsWith("OK: 9 records verified, head seq 8 sha256:")
        .contains(", 2 checkpoints, latest " + ORIGIN + " size 7 sha256:");
  }

  @Test
  void verify_copyWithACheckpointOfAnotherTree_exitsOneNamingItsSeq() throws Exception {
    // A validly signed checkpoint record whose note, also validly signed, is of a forked tree.
    MerkleTree fork = MerkleTree.inMemory();
    for (int i = 0; i < 7; i++) {
      fork.append(("forged-" + i).getBytes(StandardCharsets.UTF_8));
    }
    Checkpoint forged = new CheckpointIssuer(ORIGIN, signer).issue(fork, 7, Optional.empty());
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              values.set(
                  7,
                  Chains.resign(
                      values.get(7), signer, r -> Chains.replacePayload(r, forged.toPayload())));
              return values;
            });

    VerifyCommandTest.Run run = verify(copy);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 7: CHECKPOINT_INCONSISTENT: ");
  }

  @Test
  void verify_copyWhoseFirstCheckpointStatesAWrongRoot_exitsOneWithRootMismatch() throws Exception {
    MerkleTree fork = MerkleTree.inMemory();
    for (int i = 0; i < 3; i++) {
      fork.append(("forged-" + i).getBytes(StandardCharsets.UTF_8));
    }
    Checkpoint forged = new CheckpointIssuer(ORIGIN, signer).issue(fork, 3, Optional.empty());
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              values.set(
                  3,
                  Chains.resign(
                      values.get(3), signer, r -> Chains.replacePayload(r, forged.toPayload())));
              return values;
            });

    VerifyCommandTest.Run run = verify(copy);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 3: CHECKPOINT_ROOT_MISMATCH: ");
  }

  @Test
  void verify_copyWithCheckpointNoteSignedByAnotherKey_exitsOneWithBadSignature() throws Exception {
    LedgerSigner intruder = TestKeys.signer();
    Checkpoint foreign =
        new CheckpointIssuer(ORIGIN, intruder)
            .issue(treeOf(chain.subList(0, 3)), 3, Optional.empty());
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              values.set(
                  3,
                  Chains.resign(
                      values.get(3), signer, r -> Chains.replacePayload(r, foreign.toPayload())));
              return values;
            });

    VerifyCommandTest.Run run = verify(copy);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 3: CHECKPOINT_BAD_SIGNATURE: ");
  }

  @Test
  void verify_originPinnedToAnother_exitsOneAtTheFirstCheckpoint() {
    VerifyCommandTest.Run run = verify(ledger, "--origin", "example.com/other");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("FAIL at seq 3: CHECKPOINT_INVALID: ");
  }

  @Test
  void prove_thenVerifyReceipt_roundTripsAndTamperingFails() throws Exception {
    Path entry = dir.resolve("entry.json");
    VerifyCommandTest.Run prove =
        VerifyCommandTest.run(
            "prove",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString(),
            "--seq",
            "4",
            "--entry-out",
            entry.toString());
    assertThat(prove.exitCode()).as(prove.err()).isEqualTo(0);
    assertThat(prove.out()).startsWith("c2sp.org/tlog-proof@v1\nindex 4\n");
    assertThat(Files.readAllBytes(entry)).isEqualTo(chain.get(4));
    Path receipt = dir.resolve("entry.tlog-proof");
    Files.writeString(receipt, prove.out(), StandardCharsets.UTF_8);

    VerifyCommandTest.Run ok = verifyReceipt(receipt, entry);

    assertThat(ok.exitCode()).isEqualTo(0);
    assertThat(ok.out()).startsWith("OK: entry 4 is included in " + ORIGIN + " at size 7 sha256:");

    String[] lines = prove.out().split("\n", -1);
    byte[] hash = Base64.getDecoder().decode(lines[2]);
    hash[0] ^= 1;
    lines[2] = Base64.getEncoder().encodeToString(hash);
    Path tampered = dir.resolve("tampered.tlog-proof");
    Files.writeString(tampered, String.join("\n", lines), StandardCharsets.UTF_8);
    VerifyCommandTest.Run badProof = verifyReceipt(tampered, entry);
    assertThat(badProof.exitCode()).isEqualTo(1);
    assertThat(badProof.out()).startsWith("FAIL: NOT_INCLUDED: ");

    Path otherEntry = dir.resolve("other.json");
    Files.write(otherEntry, chain.get(5));
    VerifyCommandTest.Run wrongEntry = verifyReceipt(receipt, otherEntry);
    assertThat(wrongEntry.exitCode()).isEqualTo(1);
    assertThat(wrongEntry.out()).startsWith("FAIL: ENTRY_INVALID: ");

    Path forgedCheckpoint = dir.resolve("forged.tlog-proof");
    Files.writeString(
        forgedCheckpoint, prove.out().replace("\n7\n", "\n8\n"), StandardCharsets.UTF_8);
    VerifyCommandTest.Run badCheckpoint = verifyReceipt(forgedCheckpoint, entry);
    assertThat(badCheckpoint.exitCode()).isEqualTo(1);
    assertThat(badCheckpoint.out()).startsWith("FAIL: BAD_SIGNATURE: ");
  }

  @Test
  void prove_entryNotCoveredByACheckpoint_exitsTwo() {
    VerifyCommandTest.Run run =
        VerifyCommandTest.run(
            "prove",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString(),
            "--seq",
            "8");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("not covered by a checkpoint");
    assertThat(run.out()).isEmpty();
  }

  private static MerkleTree treeOf(List<byte[]> values) {
    MerkleTree tree = MerkleTree.inMemory();
    values.forEach(tree::append);
    return tree;
  }

  private VerifyCommandTest.Run verifyReceipt(Path receipt, Path entry) {
    return VerifyCommandTest.run(
        "verify-receipt",
        "--receipt",
        receipt.toString(),
        "--entry",
        entry.toString(),
        "--public-key",
        keys.publicKey().toString());
  }

  private static VerifyCommandTest.Run verify(String topic, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "verify",
                "--bootstrap-server",
                kafka.bootstrapServers(),
                "--topic",
                topic,
                "--public-key",
                keys.publicKey().toString()));
    args.addAll(List.of(extra));
    return VerifyCommandTest.run(args.toArray(new String[0]));
  }
}
