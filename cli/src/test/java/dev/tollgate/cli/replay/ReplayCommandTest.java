package dev.tollgate.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cli.testing.Recordings;
import dev.tollgate.cli.testing.Run;
import dev.tollgate.cli.testing.TestLedger;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tollgate replay} over an export of {@link Recordings#ledger()}: under the policies that
 * decided (src/test/resources/replay/same) nothing changes; under other ones (replay/audit: release
 * in audit mode, and a policy for octo-org) the denied trigger is admitted and the ignored one
 * needs a verification nobody recorded.
 */
class ReplayCommandTest {

  @TempDir Path tmp;

  private Run replay(String policies, String since, String... more) throws Exception {
    return replay(Run.resource("replay/" + policies), since, more);
  }

  private Run replay(Path policies, String since, String... more) throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "replay",
                "--from-export",
                export.toString(),
                "--public-key",
                TestLedger.PUBLIC_KEY.toString(),
                "--policies",
                policies.toString(),
                "--since",
                since));
    args.addAll(List.of(more));
    return Run.of(args.toArray(String[]::new));
  }

  @Test
  void replay_thePoliciesThatDecided_changeNothingAndReuseRecordedVerifications() throws Exception {
    Run run = replay("same", "2026-11-22T00:00:00Z", "--all");

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("Replaying 4 recorded triggers")
        .contains("Summary: 4 triggers: 4 unchanged, 0 changed, 0 undetermined")
        .contains(
            "denied by release [SIGNATURE_MISSING]  ->  denied by release [SIGNATURE_MISSING]")
        .contains(
            "admitted by release [BUNDLE_VERIFIED]  ->  admitted by release [BUNDLE_VERIFIED]")
        .contains("error [TRIGGER_SIGNATURE_INVALID]  ->  error [TRIGGER_SIGNATURE_INVALID]")
        .contains("bundle verification reused from the recorded decision")
        .contains("Nothing was created")
        .contains("no registry was contacted");
  }

  @Test
  void replay_otherPolicies_summarizesEachChange() throws Exception {
    Run run = replay("audit", "2026-11-22T00:00:00Z");

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out())
        .contains("changed      " + Recordings.DENIED)
        .contains(
            "denied by release [SIGNATURE_MISSING]  ->  admitted by release (audit mode) [SIGNATURE_MISSING]")
        .contains("undetermined " + Recordings.IGNORED)
        .contains("policy octo needs bundle registry.example/octo/pipelines:v1 verified")
        .contains("Summary: 4 triggers: 2 unchanged, 1 changed, 1 undetermined")
        .contains("denied -> admitted: 1")
        .contains("ignored -> undetermined: 1")
        .doesNotContain("unchanged    ");
  }

  @Test
  void replay_jsonOutput_carriesEveryTriggerAndTheCounts() throws Exception {
    Run run = replay("audit", "2026-11-22T00:00:00Z", "--output", "json");

    assertThat(run.exitCode()).as(run.both()).isZero();
    JsonNode json = Json.readTree(run.out().getBytes(StandardCharsets.UTF_8));
    assertThat(json.path("triggers")).hasSize(4);
    assertThat(json.path("summary").path("changed").asInt()).isEqualTo(1);
    assertThat(json.path("summary").path("undetermined").asInt()).isEqualTo(1);
    assertThat(json.path("summary").path("transitions").path("denied -> admitted").asInt())
        .isEqualTo(1);
    JsonNode denied = json.path("triggers").get(0);
    assertThat(denied.path("recorded").path("outcome").asText()).isEqualTo("denied");
    assertThat(denied.path("replayed").path("outcome").asText()).isEqualTo("admitted");
    assertThat(denied.path("replayed").path("mode").asText()).isEqualTo("audit");
  }

  @Test
  void replay_sinceAfterEveryTrigger_replaysNone() throws Exception {
    Run run = replay("same", "2026-11-23T00:00:00Z");

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out()).contains("Summary: 0 triggers");
  }

  @Test
  void replay_sinceADurationAgo_countsBackFromTheClock() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));
    ReplayCommand command = new ReplayCommand();
    command.clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
    CommandLine replay = new CommandLine(command);
    replay.setCaseInsensitiveEnumValuesAllowed(true);

    Run run =
        Run.of(
            replay,
            "--from-export",
            export.toString(),
            "--public-key",
            TestLedger.PUBLIC_KEY.toString(),
            "--policies",
            Run.resource("replay/same").toString(),
            "--since",
            "PT1H");

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out()).contains("since 2026-11-22T09:00:00Z").contains("4 triggers");
  }

  @Test
  void replay_policiesDirectoryWithoutPolicies_exitsTwo() throws Exception {
    Files.writeString(tmp.resolve("trust.yaml"), "bundleSigners: {keys: []}\n");

    Run run = replay(tmp, "2026-11-22T00:00:00Z");

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("holds no TriggerPolicy");
  }

  @Test
  void replay_sinceNotATime_exitsTwo() throws Exception {
    Run run = replay("same", "yesterday");

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.err()).contains("--since yesterday");
  }

  @Test
  void replay_recordAltered_exitsOneAndReplaysNothing() throws Exception {
    Path export =
        Recordings.ledger().exportAltered(tmp.resolve("altered"), 0, "octocat", "forged-admin");

    Run run =
        Run.of(
            "replay",
            "--from-export",
            export.toString(),
            "--public-key",
            TestLedger.PUBLIC_KEY.toString(),
            "--policies",
            Run.resource("replay/same").toString(),
            "--since",
            "2026-11-22T00:00:00Z");

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out()).contains("FAIL at seq 0").doesNotContain("Summary");
  }

  @Test
  void replay_createsNothing_theExportIsUnchanged() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));
    List<Path> before;
    try (Stream<Path> files = Files.walk(export)) {
      before = files.sorted().toList();
    }
    byte[] records = Files.readAllBytes(export.resolve("records.jsonl"));

    Run run =
        Run.of(
            "replay",
            "--from-export",
            export.toString(),
            "--public-key",
            TestLedger.PUBLIC_KEY.toString(),
            "--policies",
            Run.resource("replay/audit").toString(),
            "--since",
            "2026-11-22T00:00:00Z");

    assertThat(run.exitCode()).as(run.both()).isZero();
    try (Stream<Path> files = Files.walk(export)) {
      assertThat(files.sorted().toList()).isEqualTo(before);
    }
    assertThat(Files.readAllBytes(export.resolve("records.jsonl"))).isEqualTo(records);
  }
}
