package dev.tollgate.ledger.writer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.testing.WitnessProcess;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.ledger.witness.WitnessQuorum;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.Ids;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The running service with a witness configured: the independent witness in {@code
 * ../shared/tools/tlog-witness} is started only once the ledger runs (a witness that is down at
 * first delays nothing), then the served checkpoint, the kept cosigned checkpoints and the receipts
 * carry its cosignature, and the lag is published per witness.
 */
@QuarkusTest
@TestProfile(WitnessedResourceTest.Witnessed.class)
@QuarkusTestResource(value = WitnessedResourceTest.Witness.class, restrictToAnnotatedClass = true)
class WitnessedResourceTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NAME = "witness.test/http";
  private static final String ORIGIN =
      "tollgate.dev/ledger/" + EventType.LEDGER_RECORD.defaultTopic();

  /** Checkpoints after every two records; the submitter retries quickly. */
  public static final class Witnessed implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "tollgate.ledger.checkpoint.every-records", "2",
          "tollgate.ledger.witness.poll", "100ms",
          "tollgate.ledger.witness.first-retry", "200ms",
          "tollgate.ledger.witness.max-retry", "1s");
    }
  }

  /** A witness key and a port chosen up front; the witness itself is served by the test. */
  public static final class Witness implements QuarkusTestResourceLifecycleManager {
    static TemporaryDirectory dir;
    static String vkey;
    static int port;

    @Override
    public Map<String, String> start() {
      dir = TemporaryDirectory.create("tollgate-witness-");
      try {
        Files.createDirectories(dir.path().resolve("witness"));
        vkey = WitnessProcess.keygen(dir.path().resolve("witness"), NAME);
        try (ServerSocket socket = new ServerSocket(0)) {
          port = socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return Map.of(
          "tollgate.ledger.witness.urls",
          "http://127.0.0.1:" + port + "/",
          "tollgate.ledger.witness.keys",
          vkey,
          "tollgate.ledger.data-dir",
          dir.path().resolve("data").toString());
    }

    @Override
    public void stop() {
      if (dir != null) {
        dir.close();
      }
    }
  }

  EmbeddedKafka kafka;

  private static WitnessProcess witness;

  @AfterAll
  static void stopWitness() {
    if (witness != null) {
      witness.close();
    }
  }

  @Test
  void witnessStartedLate_checkpointsCosignedServedKeptAndInReceipts() throws Exception {
    LedgerPublicKey key = LedgerPublicKey.fromPem(given().get("/ledger/v1/public-key").asString());
    for (int i = 0; i < 4; i++) {
      String id = Ids.githubTrigger(UUID.randomUUID().toString());
      Topics.send(
          kafka.bootstrapServers(),
          EventType.TRIGGER.defaultTopic(),
          "acme/payments",
          Topics.ceHeaders(EventType.TRIGGER, id),
          Chains.triggerData(id));
    }
    // t, t, checkpoint(2), t, t, checkpoint(5): nothing can be cosigned yet, and nothing waits.
    await()
        .atMost(WAIT)
        .until(
            () ->
                given().get("/ledger/v1/checkpoint").statusCode() == 200
                    && Checkpoint.open(
                                given().get("/ledger/v1/checkpoint").asString(),
                                NoteKey.of(ORIGIN, key))
                            .size()
                        >= 5);
    assertThat(given().get("/ledger/v1/receipt/1").statusCode())
        .as("no receipt before the witness cosigned")
        .isEqualTo(404);
    assertThat(given().get("/q/metrics").asString())
        .contains(
            "tollgate_ledger_witness_failures_total{reason=\"unavailable\",witness=\"" + NAME);

    witness =
        WitnessProcess.serve(
            Witness.dir.path().resolve("witness"),
            NAME,
            NoteKey.of(ORIGIN, key).vkey(),
            "127.0.0.1:" + Witness.port);
    WitnessQuorum quorum = new WitnessQuorum(List.of(WitnessKey.parse(Witness.vkey)), 1);
    await().atMost(WAIT).until(() -> given().get("/ledger/v1/checkpoints/5").statusCode() == 200);

    String kept = given().get("/ledger/v1/checkpoints/5").asString();
    String latest = given().get("/ledger/v1/checkpoint").asString();
    Receipt receipt = Receipt.parse(given().get("/ledger/v1/receipt/1").asString());

    assertThat(quorum.verify(kept)).hasSize(1);
    assertThat(latest).isEqualTo(kept);
    assertThat(quorum.verify(receipt.checkpoint())).hasSize(1);
    assertThat(Checkpoint.open(kept, NoteKey.of(ORIGIN, key)).size()).isEqualTo(5);
    assertThat(Files.readString(Witness.dir.path().resolve("data/cosignatures/5.checkpoint")))
        .isEqualTo(kept);
    assertThat(given().get("/ledger/v1/checkpoints/4").statusCode()).isEqualTo(404);
    await()
        .atMost(WAIT)
        .until(
            () ->
                given()
                    .get("/q/metrics")
                    .asString()
                    .contains("tollgate_ledger_witness_lag_records{witness=\"" + NAME + "\"} 0.0"));
  }
}
