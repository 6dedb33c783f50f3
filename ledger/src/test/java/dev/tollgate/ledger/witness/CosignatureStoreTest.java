package dev.tollgate.ledger.witness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.testing.TestKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where cosignatures are kept: one signed note per checkpoint, merged per witness, on disk. */
class CosignatureStoreTest {

  private final CheckpointIssuer issuer =
      new CheckpointIssuer("tollgate.test/ledger", TestKeys.signer());

  @TempDir Path dir;

  @Test
  void add_twoWitnesses_oneNoteWithTheLedgerSignatureFirstAndBothCosignatures() throws Exception {
    Witness one = new Witness("w.test/1");
    Witness two = new Witness("w.test/2");
    Checkpoint checkpoint = checkpoint(5);
    CosignatureStore store = CosignatureStore.in(dir);

    store.add(checkpoint, one.cosign(checkpoint, 100));
    String note = store.add(checkpoint, two.cosign(checkpoint, 200));

    assertThat(note).startsWith(checkpoint.note());
    assertThat(SignedNote.parse(note).signatures()).hasSize(3);
    assertThat(new WitnessQuorum(List.of(one.key, two.key), 2).verify(note)).hasSize(2);
    assertThat(Files.readString(dir.resolve("cosignatures/5.checkpoint"), StandardCharsets.UTF_8))
        .isEqualTo(note);
  }

  @Test
  void add_sameWitnessAgain_replacesItsLine() throws Exception {
    Witness one = new Witness("w.test/1");
    Checkpoint checkpoint = checkpoint(5);
    CosignatureStore store = CosignatureStore.inMemory();

    store.add(checkpoint, one.cosign(checkpoint, 100));
    String note = store.add(checkpoint, one.cosign(checkpoint, 300));

    assertThat(SignedNote.parse(note).signatures()).hasSize(2);
    assertThat(new WitnessQuorum(List.of(one.key), 1).verify(note).get(0).timestamp())
        .isEqualTo(300);
  }

  @Test
  void in_reopened_servesTheKeptNotesAndTheLatestWithQuorum() throws Exception {
    Witness one = new Witness("w.test/1");
    Witness two = new Witness("w.test/2");
    Checkpoint small = checkpoint(3);
    Checkpoint large = checkpoint(7);
    CosignatureStore first = CosignatureStore.in(dir);
    first.add(small, one.cosign(small, 100));
    first.add(small, two.cosign(small, 100));
    first.add(large, one.cosign(large, 200));

    CosignatureStore reopened = CosignatureStore.in(dir);
    WitnessQuorum both = new WitnessQuorum(List.of(one.key, two.key), 2);

    assertThat(reopened.note(7)).isPresent();
    assertThat(reopened.note(4)).isEmpty();
    assertThat(reopened.latest(both, 100)).contains(reopened.note(3).orElseThrow());
    assertThat(reopened.latest(both, 2)).isEmpty();
    assertThat(CosignatureStore.sizes(dir.resolve("cosignatures"))).containsExactly(3L, 7L);
  }

  @Test
  void add_keptNoteOfAnotherTreeAtThatSize_replacedByTheNewCheckpoint() throws Exception {
    Witness one = new Witness("w.test/1");
    Checkpoint checkpoint = checkpoint(5);
    MerkleTree other = WitnessInteropTest.tree("b", 5);
    Checkpoint fork = issuer.issue(other, 5, Optional.empty());
    CosignatureStore store = CosignatureStore.inMemory();
    store.add(fork, one.cosign(fork, 100));

    String note = store.add(checkpoint, one.cosign(checkpoint, 200));

    assertThat(note).startsWith(checkpoint.note());
    assertThat(SignedNote.parse(note).signatures()).hasSize(2);
  }

  private Checkpoint checkpoint(int size) throws Exception {
    return issuer.issue(WitnessInteropTest.tree("a", size), size, Optional.empty());
  }

  /** A witness key we hold, signing cosignature/v1 as the spec says. */
  static final class Witness {
    final KeyPair pair;
    final WitnessKey key;

    Witness(String name) throws Exception {
      pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      key = WitnessKey.of(name, LedgerPublicKey.of(pair.getPublic()));
    }

    Cosignature cosign(Checkpoint checkpoint, long timestamp) throws Exception {
      Signature ed25519 = Signature.getInstance("Ed25519");
      ed25519.initSign(pair.getPrivate());
      ed25519.update(
          Cosignature.signedMessage(SignedNote.parse(checkpoint.note()).text(), timestamp));
      byte[] blob = ByteBuffer.allocate(72).putLong(timestamp).put(ed25519.sign()).array();
      return Cosignature.of(new SignedNote.Signature(key.name(), key.keyId(), blob)).orElseThrow();
    }
  }
}
