package dev.tollgate.cli.explain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cli.testing.Recordings;
import dev.tollgate.cli.testing.Run;
import dev.tollgate.cli.testing.TestLedger;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate explain} over an export of {@link Recordings#ledger()}. */
class ExplainCommandTest {

  @TempDir Path tmp;

  private Run explain(Path export, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "explain",
                "--from-export",
                export.toString(),
                "--public-key",
                TestLedger.PUBLIC_KEY.toString()));
    args.addAll(List.of(more));
    return Run.of(args.toArray(String[]::new));
  }

  @Test
  void explain_deniedTrigger_saysEachCheckInWordsWithTheCatalogsRemedy() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run = explain(export, Recordings.DENIED);

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Trigger " + Recordings.DENIED + ": push to acme/payments refs/heads/main")
        .contains("by octocat")
        .contains("event signature: verified as the gateway's")
        .contains("Decision: DENIED under policy release")
        .contains("enforce mode")
        .contains("event signature: verified as the verifier's")
        .contains("SIGNATURE_MISSING: bundle.signature")
        // the catalog's remediation, beside the one recorded
        .contains("The catalog now says: Sign the artifact by digest (cosign sign")
        .contains("passed  bundle.resolve")
        .contains("the bundle reference resolved to one digest")
        .contains("FAILED  bundle.signature")
        .contains("the bundle digest is signed by a trusted signer")
        .contains("Ledger: 9 records read from export")
        .contains("every one verified");
  }

  @Test
  void explain_admittedTrigger_showsThePipelineRunAndItsRun() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run = explain(export, Recordings.ADMITTED);

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Decision: ADMITTED under policy release")
        .contains("Notes:")
        .contains("BUNDLE_VERIFIED")
        .contains("PipelineRun team-payments/tollgate-3eaf4d61 runs bundle " + Recordings.PINNED)
        .contains("Run team-payments/tollgate-3eaf4d61: succeeded");
  }

  @Test
  void explain_unsignedTrigger_saysTheLedgerDidNotFindItSigned() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run = explain(export, Recordings.FORGED);

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("event signature: NOT verified as the gateway's: unsigned")
        .contains("Decision: ERROR (no policy applied)")
        .contains("TRIGGER_SIGNATURE_INVALID")
        .contains("What to do: Find who else writes");
  }

  @Test
  void explain_jsonOutput_carriesChecksAndRemedies() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run = explain(export, Recordings.DENIED, "--output", "json");

    assertThat(run.exitCode()).as(run.both()).isZero();
    JsonNode json = Json.readTree(run.out().getBytes(StandardCharsets.UTF_8));
    JsonNode decision = json.path("decisions").get(0);
    assertThat(decision.path("authenticated").asBoolean()).isTrue();
    assertThat(decision.path("event").path("outcome").asText()).isEqualTo("denied");
    assertThat(decision.path("checks").get(1).path("checks").asText())
        .isEqualTo("the bundle digest is signed by a trusted signer");
    assertThat(decision.path("remedies").get(0).path("remediation").asText())
        .contains("cosign sign");
  }

  @Test
  void explain_triggerNotInLedger_exitsThree() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run = explain(export, "github:99999999-6b8e-11ef-8a8e-1e2d3c4b5a69");

    assertThat(run.exitCode()).as(run.both()).isEqualTo(3);
    assertThat(run.err()).contains("NOT FOUND").contains("9 records verified");
  }

  @Test
  void explain_recordAltered_exitsOneAndShowsNothingOfIt() throws Exception {
    Path export =
        Recordings.ledger().exportAltered(tmp.resolve("export"), 1, "\"denied\"", "\"admitted\"");

    Run run = explain(export, Recordings.DENIED);

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out()).contains("FAIL at seq 1").doesNotContain("Decision:");
  }

  @Test
  void explain_lastRecordsCutOff_exitsOne() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));
    List<String> lines = Files.readAllLines(export.resolve("records.jsonl"));
    Files.write(export.resolve("records.jsonl"), lines.subList(0, lines.size() - 2));

    Run run = explain(export, Recordings.DENIED);

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out()).contains("FAIL").contains("manifest states 9 records");
  }

  @Test
  void explain_anotherLedgersKey_exitsOne() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run =
        Run.of(
            "explain",
            "--from-export",
            export.toString(),
            "--public-key",
            TestLedger.OTHER_PUBLIC_KEY.toString(),
            Recordings.DENIED);

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out()).contains("FAIL at seq 0");
  }

  @Test
  void explain_noPublicKey_exitsTwo() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run = Run.of("explain", "--from-export", export.toString(), Recordings.DENIED);

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("--public-key is required");
  }

  @Test
  void explain_noLedgerNamed_exitsTwo() {
    Run run =
        Run.of("explain", "--public-key", TestLedger.PUBLIC_KEY.toString(), Recordings.DENIED);

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("--bootstrap-server").contains("--from-export");
  }
}
