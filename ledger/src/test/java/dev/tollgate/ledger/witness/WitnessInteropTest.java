package dev.tollgate.ledger.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.WitnessProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our witness client and cosignature checks against the independent C2SP witness in {@code
 * ../shared/tools/tlog-witness}, both ways: it accepts our checkpoints and consistency proofs, and
 * its cosignatures verify in our quorum check; what we assemble verifies in its {@code
 * verify-cosignature}. A truncated or forked ledger is refused by it and reported as a rollback.
 */
class WitnessInteropTest {

  private static final String ORIGIN = "tollgate.test/ledger";

  @TempDir Path dir;

  private final LedgerSigner signer = TestKeys.signer();
  private final CheckpointIssuer issuer = new CheckpointIssuer(ORIGIN, signer);
  private WitnessProcess witness;
  private WitnessKey witnessKey;

  @BeforeEach
  void startWitness() throws Exception {
    Path state = Files.createDirectory(dir.resolve("witness"));
    witness = WitnessProcess.start(state, "witness.test/one", issuer.key().vkey());
    witnessKey = WitnessKey.parse(witness.vkey());
  }

  @AfterEach
  void stopWitness() throws Exception {
    if (witness != null) {
      witness.close();
    }
  }

  @Test
  void cosign_growingLedger_everyCheckpointCosignedAndVerifiedBothWays() throws Exception {
    MerkleTree tree = tree("a", 5);
    CheckpointWitness client = client();
    Checkpoint first = issuer.issue(tree, 5, Optional.empty());
    Cosignature one = client.cosign(first, tree::consistencyProof);
    assertThat(one.name()).isEqualTo("witness.test/one");

    append(tree, "a", 5, 12);
    Checkpoint second = issuer.issue(tree, 12, Optional.of(first));
    Cosignature two = client.cosign(second, tree::consistencyProof);
    assertThat(client.witnessSize()).isEqualTo(12);

    String cosigned = withCosignature(second, two);
    assertThat(new WitnessQuorum(List.of(witnessKey), 1).verify(cosigned)).containsExactly(two);
    Path note = dir.resolve("cosigned.note");
    Files.writeString(note, cosigned, StandardCharsets.UTF_8);
    assertThat(witness.verifyCosignature(note)).as("the witness's own verifier").isZero();
  }

  @Test
  void cosign_clientRestartedWithoutTheWitnessSize_provesFromTheSizeTheWitnessNames()
      throws Exception {
    MerkleTree tree = tree("a", 7);
    Checkpoint first = issuer.issue(tree, 7, Optional.empty());
    client().cosign(first, tree::consistencyProof);

    append(tree, "a", 7, 20);
    CheckpointWitness restarted = client();
    Cosignature cosignature =
        restarted.cosign(issuer.issue(tree, 20, Optional.of(first)), tree::consistencyProof);

    assertThat(cosignature.time()).isNotNull();
    assertThat(restarted.witnessSize()).isEqualTo(20);
  }

  @Test
  void cosign_truncatedLedger_rollbackReported() throws Exception {
    MerkleTree tree = tree("a", 12);
    client().cosign(issuer.issue(tree, 12, Optional.empty()), tree::consistencyProof);

    MerkleTree truncated = tree("a", 4);
    Checkpoint smaller = issuer.issue(truncated, 4, Optional.empty());

    assertThatThrownBy(() -> client().cosign(smaller, truncated::consistencyProof))
        .isInstanceOf(WitnessException.class)
        .hasMessageContaining("12")
        .extracting(e -> ((WitnessException) e).reason())
        .isEqualTo(WitnessException.Reason.ROLLBACK);
  }

  @Test
  void cosign_forkedLedger_witnessRefusesTheProofAndRollbackReported() throws Exception {
    MerkleTree tree = tree("a", 12);
    CheckpointWitness client = client();
    client.cosign(issuer.issue(tree, 12, Optional.empty()), tree::consistencyProof);

    MerkleTree fork = tree("b", 20);
    Checkpoint forked = issuer.issue(fork, 20, Optional.empty());

    assertThatThrownBy(() -> client.cosign(forked, fork::consistencyProof))
        .isInstanceOf(WitnessException.class)
        .extracting(e -> ((WitnessException) e).reason())
        .isEqualTo(WitnessException.Reason.ROLLBACK);
  }

  @Test
  void cosign_checkpointSignedByAnotherKey_refused() throws Exception {
    LedgerSigner stranger = TestKeys.signer();
    CheckpointIssuer impostor = new CheckpointIssuer(ORIGIN, stranger);
    MerkleTree tree = tree("a", 3);
    Checkpoint forged = impostor.issue(tree, 3, Optional.empty());

    assertThatThrownBy(() -> client().cosign(forged, tree::consistencyProof))
        .isInstanceOf(WitnessException.class)
        .hasMessageContaining("403")
        .extracting(e -> ((WitnessException) e).reason())
        .isEqualTo(WitnessException.Reason.REFUSED);
  }

  @Test
  void verify_cosignatureOnAnotherCheckpoint_badCosignature() throws Exception {
    MerkleTree tree = tree("a", 5);
    Checkpoint first = issuer.issue(tree, 5, Optional.empty());
    Cosignature cosignature = client().cosign(first, tree::consistencyProof);
    append(tree, "a", 5, 6);
    Checkpoint other = issuer.issue(tree, 6, Optional.of(first));

    String transplanted = withCosignature(other, cosignature);

    assertThatThrownBy(() -> new WitnessQuorum(List.of(witnessKey), 1).verify(transplanted))
        .isInstanceOf(WitnessException.class)
        .extracting(e -> ((WitnessException) e).reason())
        .isEqualTo(WitnessException.Reason.BAD_COSIGNATURE);
    Path note = dir.resolve("transplanted.note");
    Files.writeString(note, transplanted, StandardCharsets.UTF_8);
    assertThat(witness.verifyCosignature(note)).as("the witness's own verifier").isEqualTo(1);
  }

  private CheckpointWitness client() {
    return new CheckpointWitness(
        new WitnessClient(witness.url(), witnessKey, Duration.ofSeconds(10)));
  }

  static String withCosignature(Checkpoint checkpoint, Cosignature cosignature) throws Exception {
    SignedNote note = SignedNote.parse(checkpoint.note());
    List<SignedNote.Signature> lines = new ArrayList<>(note.signatures());
    lines.add(cosignature.line());
    return new SignedNote(note.text(), lines).format();
  }

  static MerkleTree tree(String prefix, int size) {
    MerkleTree tree = MerkleTree.inMemory();
    append(tree, prefix, 0, size);
    return tree;
  }

  static void append(MerkleTree tree, String prefix, int from, int to) {
    for (int i = from; i < to; i++) {
      tree.append((prefix + i).getBytes(StandardCharsets.UTF_8));
    }
  }
}
