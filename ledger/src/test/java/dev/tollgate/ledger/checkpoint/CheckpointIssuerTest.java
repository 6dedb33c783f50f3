package dev.tollgate.ledger.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Checkpoints as C2SP notes, and the refusal to sign one that contradicts the last. */
class CheckpointIssuerTest {

  private static final String ORIGIN = "tollgate.dev/ledger/test";

  private final LedgerSigner signer = TestKeys.signer();
  private final CheckpointIssuer issuer = new CheckpointIssuer(ORIGIN, signer);

  @Test
  void issue_tree_isATlogCheckpointSignedUnderTheOrigin() throws Exception {
    MerkleTree tree = tree("a", 5);

    Checkpoint checkpoint = issuer.issue(tree, 5, Optional.empty());

    String root = Base64.getEncoder().encodeToString(tree.rootHash(5));
    assertThat(checkpoint.note())
        .startsWith(ORIGIN + "\n5\n" + root + "\n\n\u2014 " + ORIGIN + " ")
        .endsWith("\n");
    NoteKey key = NoteKey.parse(issuer.key().vkey());
    assertThat(Checkpoint.open(checkpoint.note(), key)).isEqualTo(checkpoint);
    assertThat(Checkpoint.fromPayload(checkpoint.toPayload(), key).size()).isEqualTo(5);
    byte[] blob =
        Base64.getDecoder()
            .decode(SignedNote.parse(checkpoint.note()).format().split(" ")[2].trim());
    assertThat(blob).hasSize(4 + 64);
  }

  @Test
  void issue_treeExtendingTheLastCheckpoint_signs() throws Exception {
    MerkleTree tree = tree("a", 4);
    Checkpoint first = issuer.issue(tree, 4, Optional.empty());
    tree.append("more".getBytes(StandardCharsets.UTF_8));

    Checkpoint second = issuer.issue(tree, 5, Optional.of(first));

    assertThat(second.size()).isEqualTo(5);
  }

  @Test
  void issue_treeThatDoesNotExtendTheLastCheckpoint_refusesToSign() throws Exception {
    Checkpoint ofAnotherTree = issuer.issue(tree("b", 4), 4, Optional.empty());
    MerkleTree tree = tree("a", 8);

    assertThatThrownBy(() -> issuer.issue(tree, 8, Optional.of(ofAnotherTree)))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.reason()).isEqualTo(CheckpointException.Reason.INCONSISTENT));
  }

  @Test
  void issue_sizeBelowTheLastCheckpoint_refusesToSign() throws Exception {
    MerkleTree tree = tree("a", 8);
    Checkpoint last = issuer.issue(tree, 8, Optional.empty());

    assertThatThrownBy(() -> issuer.issue(tree, 7, Optional.of(last)))
        .isInstanceOf(CheckpointException.class);
  }

  @Test
  void fromPayload_payloadSizeDifferentFromTheNote_isRejected() throws Exception {
    Checkpoint checkpoint = issuer.issue(tree("a", 3), 3, Optional.empty());
    var payload = (com.fasterxml.jackson.databind.node.ObjectNode) checkpoint.toPayload();
    payload.put("size", 2);

    assertThatThrownBy(() -> Checkpoint.fromPayload(payload, issuer.key()))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.reason()).isEqualTo(CheckpointException.Reason.MALFORMED));
  }

  @Test
  void open_noteSignedByAnotherKey_isRejected() throws Exception {
    Checkpoint checkpoint = issuer.issue(tree("a", 3), 3, Optional.empty());
    NoteKey other = NoteKey.of(ORIGIN, TestKeys.signer().publicKey());

    assertThatThrownBy(() -> Checkpoint.open(checkpoint.note(), other))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.reason()).isEqualTo(CheckpointException.Reason.BAD_SIGNATURE));
  }

  private static MerkleTree tree(String prefix, int size) {
    MerkleTree tree = MerkleTree.inMemory();
    for (int i = 0; i < size; i++) {
      tree.append((prefix + i).getBytes(StandardCharsets.UTF_8));
    }
    assertThat(tree.rootHash(size)).hasSize(MerkleHash.SIZE);
    return tree;
  }
}
