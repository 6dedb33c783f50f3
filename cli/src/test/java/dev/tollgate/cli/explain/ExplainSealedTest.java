package dev.tollgate.cli.explain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.cli.testing.Recordings;
import dev.tollgate.cli.testing.Run;
import dev.tollgate.cli.testing.TestLedger;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate explain} over {@link Recordings#sealedLedger}: the trigger's webhook body shown
 * only when the sealed store gives it back matching its commitment, otherwise said to be sealed.
 */
class ExplainSealedTest {

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

  private Run explain(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "explain",
                "--from-export",
                export.toString(),
                "--public-key",
                TestLedger.PUBLIC_KEY.toString(),
                Recordings.DENIED));
    args.addAll(List.of(more));
    return Run.of(args.toArray(String[]::new));
  }

  @Test
  void explain_sealedStoreWithThePart_showsThePayloadPutBack() throws Exception {
    Run run = explain("--sealed-store", store.toString(), "-o", "json");

    assertThat(run.exitCode()).as(run.both()).isZero();
    JsonNode trigger =
        Json.readTree(run.out().getBytes(StandardCharsets.UTF_8)).path("triggers").path(0);
    JsonNode original =
        Json.readTree(Files.readAllBytes(Run.resource("policy-test/triggers/push-main.json")));
    assertThat(trigger.path("event").path("payload")).isEqualTo(original.path("payload"));
    assertThat(trigger.path("sealed").path("status").asText()).isEqualTo("restored");
  }

  @Test
  void explain_sealedStoreWithThePart_saysItWasPutBack() {
    Run run = explain("--sealed-store", store.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("payload sealed: /payload put back from the sealed store")
        .contains("Decision: DENIED under policy release");
  }

  @Test
  void explain_noSealedStore_saysThePayloadIsSealed() throws Exception {
    Run run = explain();

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out()).contains("payload sealed: pass --sealed-store DIR");
    JsonNode trigger =
        Json.readTree(explain("-o", "json").out().getBytes(StandardCharsets.UTF_8))
            .path("triggers")
            .path(0);
    assertThat(trigger.path("sealed").path("status").asText()).isEqualTo("withheld");
    assertThat(trigger.path("event").path("payload").asText()).startsWith("sha256:");
  }

  @Test
  void explain_erasedPart_saysPayloadSealedErased() throws Exception {
    Files.delete(Recordings.sealedPart(ledger, store, Recordings.DENIED));

    Run run = explain("--sealed-store", store.toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out()).contains("payload sealed, erased: /payload");
  }

  @Test
  void explain_partNotMatchingItsCommitment_saysSo() throws Exception {
    Path part = Recordings.sealedPart(ledger, store, Recordings.DENIED);
    ObjectNode tampered = (ObjectNode) Json.readTree(Files.readAllBytes(part));
    ((ObjectNode) tampered.path("content")).put("ref", "refs/heads/other");
    Files.write(part, CanonicalJson.bytes(tampered));

    Run run = explain("--sealed-store", store.toString(), "-o", "json");

    assertThat(run.exitCode()).as(run.both()).isZero();
    JsonNode trigger =
        Json.readTree(run.out().getBytes(StandardCharsets.UTF_8)).path("triggers").path(0);
    assertThat(trigger.path("sealed").path("status").asText()).isEqualTo("withheld");
    assertThat(trigger.path("sealed").path("why").asText())
        .contains("does not match its commitment");
    assertThat(run.out()).doesNotContain("refs/heads/other");
  }
}
