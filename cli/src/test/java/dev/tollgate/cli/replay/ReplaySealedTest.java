package dev.tollgate.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.cli.testing.Recordings;
import dev.tollgate.cli.testing.Run;
import dev.tollgate.cli.testing.TestLedger;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate replay} over {@link Recordings#sealedLedger}: every trigger's webhook body
 * sealed, as the ledger records it by default. Decided again only when the sealed store gives each
 * part back matching its commitment; otherwise undetermined, never decided on a commitment.
 */
class ReplaySealedTest {

  @TempDir Path tmp;

  private Path store;
  private TestLedger ledger;
  private Path export;

  @BeforeEach
  void record() throws Exception {
    store = tmp.resolve("sealed");
    ledger = Recordings.sealedLedger(store);
    export = ledger.export(tmp.resolve("export"));
  }

  private Run replay(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "replay",
                "--from-export",
                export.toString(),
                "--public-key",
                TestLedger.PUBLIC_KEY.toString(),
                "--policies",
                Run.resource("replay/same").toString(),
                "--since",
                "2026-11-22T00:00:00Z",
                "--all"));
    args.addAll(List.of(more));
    return Run.of(args.toArray(String[]::new));
  }

  @Test
  void replay_sealedStoreWithEveryPart_decidesAsTheUnsealedLedger() {
    Run run = replay("--sealed-store", store.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Summary: 4 triggers: 4 unchanged, 0 changed, 0 undetermined")
        .contains(
            "denied by release [SIGNATURE_MISSING]  ->  denied by release [SIGNATURE_MISSING]")
        .contains("sealed /payload put back from the sealed store")
        .doesNotContain("payload sealed");
  }

  @Test
  void replay_noSealedStore_countsSealedTriggersUndetermined() {
    Run run = replay();

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Summary: 4 triggers: 0 unchanged, 0 changed, 4 undetermined")
        .contains("undetermined " + Recordings.DENIED)
        .contains("note: payload sealed: pass --sealed-store");
  }

  @Test
  void replay_erasedPart_countsThatTriggerUndetermined() throws Exception {
    Files.delete(Recordings.sealedPart(ledger, store, Recordings.DENIED));

    Run run = replay("--sealed-store", store.toString(), "-o", "json");

    assertThat(run.exitCode()).as(run.both()).isZero();
    JsonNode json = Json.readTree(run.out().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(json.path("summary").path("unchanged").asLong()).isEqualTo(3);
    assertThat(json.path("summary").path("undetermined").asLong()).isEqualTo(1);
    JsonNode denied = trigger(json, Recordings.DENIED);
    assertThat(denied.path("change").asText()).isEqualTo("undetermined");
    assertThat(denied.path("replayed").isNull()).isTrue();
    assertThat(denied.path("notes").toString()).contains("payload sealed, erased: /payload");
  }

  @Test
  void replay_partNotMatchingItsCommitment_countsThatTriggerUndetermined() throws Exception {
    Path part = Recordings.sealedPart(ledger, store, Recordings.DENIED);
    ObjectNode tampered = (ObjectNode) Json.readTree(Files.readAllBytes(part));
    ((ObjectNode) tampered.path("content")).put("ref", "refs/heads/other");
    Files.write(part, CanonicalJson.bytes(tampered));

    Run run = replay("--sealed-store", store.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Summary: 4 triggers: 3 unchanged, 0 changed, 1 undetermined")
        .contains("undetermined " + Recordings.DENIED)
        .contains("does not match its commitment")
        .doesNotContain("refs/heads/other");
  }

  @Test
  void replay_sealedTriggersBeforeTheWindowWithoutStore_saysTheyFedNoApproval() {
    List<String> args =
        List.of(
            "replay",
            "--from-export",
            export.toString(),
            "--public-key",
            TestLedger.PUBLIC_KEY.toString(),
            "--policies",
            Run.resource("replay/same").toString(),
            "--since",
            "2026-11-23T00:00:00Z");

    Run run = Run.of(args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.both()).isZero();
    // the three authenticated triggers; the unsigned one would feed no approval anyway
    assertThat(run.out())
        .contains("Summary: 0 triggers")
        .contains("3 triggers before the window have sealed payloads that could not be put back");
  }

  @Test
  void replay_sealedStoreNotADirectory_refusesToStart() {
    Run run = replay("--sealed-store", tmp.resolve("nowhere").toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("--sealed-store").contains("is not a directory");
  }

  private static JsonNode trigger(JsonNode json, String triggerId) {
    for (JsonNode t : json.path("triggers")) {
      if (t.path("triggerId").asText().equals(triggerId)) {
        return t;
      }
    }
    throw new AssertionError("no " + triggerId + " in " + json);
  }
}
