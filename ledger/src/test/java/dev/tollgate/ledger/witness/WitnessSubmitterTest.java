package dev.tollgate.ledger.witness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.WitnessProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The submitter against the independent witness in {@code ../shared/tools/tlog-witness}: it follows
 * the latest checkpoint, keeps what the witness cosigns, goes on when another witness is down, and
 * counts a witness's refusal of a rolled-back ledger.
 */
class WitnessSubmitterTest {

  private static final String ORIGIN = "tollgate.test/ledger";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final WitnessSubmitter.Timing FAST =
      new WitnessSubmitter.Timing(
          Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(400));

  @TempDir Path dir;

  private final LedgerSigner signer = TestKeys.signer();
  private final CheckpointIssuer issuer = new CheckpointIssuer(ORIGIN, signer);
  private final AtomicReference<WitnessSubmitter.Target> latest = new AtomicReference<>();
  private final List<AutoCloseable> running = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : running) {
      closeable.close();
    }
  }

  @Test
  void submitter_growingLedger_latestCheckpointCosignedKeptAndVerifiedByTheWitnessTool()
      throws Exception {
    WitnessProcess witness = witness("witness.test/one");
    WitnessKey key = WitnessKey.parse(witness.vkey());
    CosignatureStore store = CosignatureStore.in(dir);
    WitnessSubmitter submitter = submitter(store, client(witness.url(), key));
    MerkleTree tree = WitnessInteropTest.tree("a", 4);
    Checkpoint first = offer(tree, Optional.empty());
    submitter.start();
    await().atMost(WAIT).until(() -> store.note(4).isPresent());

    WitnessInteropTest.append(tree, "a", 4, 9);
    Checkpoint second = offer(tree, Optional.of(first));
    await().atMost(WAIT).until(() -> store.note(9).isPresent());

    String note = store.note(9).orElseThrow();
    assertThat(note).startsWith(second.note());
    assertThat(new WitnessQuorum(List.of(key), 1).verify(note)).hasSize(1);
    assertThat(witness.verifyCosignature(dir.resolve("cosignatures/9.checkpoint")))
        .as("the witness's own verify-cosignature")
        .isZero();
    WitnessSubmitter.Status status = submitter.statuses().get(0);
    assertThat(status.cosignedSize()).isEqualTo(9);
    assertThat(status.lagRecords()).isZero();
    assertThat(status.lagSeconds()).isZero();
  }

  @Test
  void submitter_oneWitnessDown_theOtherCosignsAndTheDownOneLags() throws Exception {
    WitnessProcess up = witness("witness.test/up");
    WitnessKey upKey = WitnessKey.parse(up.vkey());
    WitnessKey downKey = new CosignatureStoreTest.Witness("witness.test/down").key;
    CosignatureStore store = CosignatureStore.inMemory();
    WitnessSubmitter submitter =
        submitter(store, client(closedPort(), downKey), client(up.url(), upKey));
    MerkleTree tree = WitnessInteropTest.tree("a", 6);
    offer(tree, Optional.empty());
    submitter.start();

    await().atMost(WAIT).until(() -> store.note(6).isPresent());
    await()
        .atMost(WAIT)
        .until(() -> submitter.failures(downKey, WitnessException.Reason.UNAVAILABLE) >= 2);

    assertThat(new WitnessQuorum(List.of(upKey), 1).verify(store.note(6).orElseThrow())).hasSize(1);
    WitnessSubmitter.Status down = submitter.statuses().get(0);
    assertThat(down.cosignedSize()).isEqualTo(-1);
    assertThat(down.lagRecords()).isEqualTo(6);
    assertThat(submitter.statuses().get(1).lagRecords()).isZero();
    assertThatQuorumOfBoth(store, upKey, downKey);
  }

  @Test
  void submitter_ledgerRolledBackAfterTheWitnessCosigned_rollbackCountedNothingKept()
      throws Exception {
    WitnessProcess witness = witness("witness.test/one");
    WitnessKey key = WitnessKey.parse(witness.vkey());
    MerkleTree tree = WitnessInteropTest.tree("a", 12);
    client(witness.url(), key)
        .cosign(issuer.issue(tree, 12, Optional.empty()), tree::consistencyProof);
    CosignatureStore store = CosignatureStore.inMemory();
    WitnessSubmitter submitter = submitter(store, client(witness.url(), key));
    MerkleTree truncated = WitnessInteropTest.tree("a", 8);
    offer(truncated, Optional.empty());
    submitter.start();

    await()
        .atMost(WAIT)
        .until(() -> submitter.failures(key, WitnessException.Reason.ROLLBACK) >= 1);

    assertThat(store.note(8)).isEmpty();
    assertThat(submitter.statuses().get(0).lagRecords()).isEqualTo(8);
  }

  private static void assertThatQuorumOfBoth(
      CosignatureStore store, WitnessKey up, WitnessKey down) {
    assertThat(store.latest(new WitnessQuorum(List.of(up, down), 2), 100))
        .as("two of two required, one witness down")
        .isEmpty();
  }

  private Checkpoint offer(MerkleTree tree, Optional<Checkpoint> last) throws Exception {
    Checkpoint checkpoint = issuer.issue(tree, tree.size(), last);
    latest.set(new WitnessSubmitter.Target(checkpoint, tree::consistencyProof));
    return checkpoint;
  }

  private WitnessSubmitter submitter(CosignatureStore store, CheckpointWitness... witnesses) {
    WitnessSubmitter submitter =
        new WitnessSubmitter(
            List.of(witnesses),
            () -> Optional.ofNullable(latest.get()),
            store,
            FAST,
            Clock.systemUTC());
    running.add(0, submitter);
    return submitter;
  }

  private WitnessProcess witness(String name) throws Exception {
    Path state = Files.createDirectory(dir.resolve(name.replace('/', '_')));
    WitnessProcess witness = WitnessProcess.start(state, name, issuer.key().vkey());
    running.add(witness);
    return witness;
  }

  private static CheckpointWitness client(URI url, WitnessKey key) {
    return new CheckpointWitness(new WitnessClient(url, key, Duration.ofSeconds(5)));
  }

  /** A loopback port nobody listens on: connections are refused at once. */
  private static URI closedPort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port + "/");
  }
}
