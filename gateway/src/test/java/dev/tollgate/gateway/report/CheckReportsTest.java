package dev.tollgate.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.RunEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckReportsTest {

  @Test
  void accepted_trigger_isQueuedWithoutConclusion() {
    CheckReport report = CheckReports.accepted(ReportEvents.trigger());

    assertThat(report.stage()).isEqualTo(CheckReport.Stage.ACCEPTED);
    assertThat(report.status()).isEqualTo(CheckReport.Status.QUEUED);
    assertThat(report.conclusion()).isNull();
    assertThat(report.commitState()).isEqualTo("pending");
    assertThat(report.text()).contains(GitHubChecksStubs.TRIGGER);
  }

  @Test
  void decided_denied_failsWithEachReasonCodeMessageAndRemedy() {
    CheckReport report = CheckReports.decided(ReportEvents.denied());

    assertThat(report.conclusion()).isEqualTo(CheckReport.Conclusion.FAILURE);
    assertThat(report.title()).isEqualTo("Denied: SIGNATURE_MISSING");
    assertThat(report.summary())
        .contains("**SIGNATURE_MISSING**")
        .contains("has no signature")
        .contains("Remedy: Sign the bundle with cosign sign --key")
        .contains("`merge-queue`");
    assertThat(report.text()).contains(ReportEvents.DECISION).contains(GitHubChecksStubs.TRIGGER);
  }

  @Test
  void decided_admitted_succeedsNamingTheRunAndPinnedBundle() {
    CheckReport report = CheckReports.decided(ReportEvents.admitted());

    assertThat(report.conclusion()).isEqualTo(CheckReport.Conclusion.SUCCESS);
    assertThat(report.title())
        .isEqualTo("Admitted: PipelineRun team-payments/tollgate-0b1c2d3e")
        .doesNotStartWith(CheckReports.RUN_TITLE_PREFIX);
    assertThat(report.summary()).contains("@sha256:" + "a".repeat(64));
  }

  @Test
  void decided_ignored_isNeutralAndPassesAsACommitStatus() {
    DecisionEvent ignored =
        new DecisionEvent(
            ReportEvents.DECISION,
            GitHubChecksStubs.TRIGGER,
            DecisionEvent.Outcome.IGNORED,
            GitHubChecksStubs.REPOSITORY,
            List.of(new Reason("NO_MATCHING_POLICY", "no policy matches", "Add a policy.")),
            null,
            null,
            ReportEvents.AT);

    CheckReport report = CheckReports.decided(ignored);

    assertThat(report.conclusion()).isEqualTo(CheckReport.Conclusion.NEUTRAL);
    assertThat(report.commitState()).isEqualTo("success");
    assertThat(report.title()).isEqualTo("Ignored: NO_MATCHING_POLICY");
  }

  @Test
  void decided_error_failsClosed() {
    DecisionEvent error =
        new DecisionEvent(
            ReportEvents.DECISION,
            GitHubChecksStubs.TRIGGER,
            DecisionEvent.Outcome.ERROR,
            GitHubChecksStubs.REPOSITORY,
            List.of(new Reason("REGISTRY_UNAVAILABLE", "the registry timed out", "Retry.")),
            null,
            null,
            ReportEvents.AT);

    assertThat(CheckReports.decided(error).conclusion()).isEqualTo(CheckReport.Conclusion.FAILURE);
  }

  @Test
  void runChanged_ended_reportsTheRunsOutcome() {
    CheckReport failed =
        CheckReports.runChanged(ReportEvents.runEnded(RunEvent.Phase.FAILED)).orElseThrow();
    CheckReport succeeded =
        CheckReports.runChanged(ReportEvents.runEnded(RunEvent.Phase.SUCCEEDED)).orElseThrow();
    CheckReport cancelled =
        CheckReports.runChanged(ReportEvents.runEnded(RunEvent.Phase.CANCELLED)).orElseThrow();

    assertThat(failed.conclusion()).isEqualTo(CheckReport.Conclusion.FAILURE);
    assertThat(succeeded.conclusion()).isEqualTo(CheckReport.Conclusion.SUCCESS);
    assertThat(cancelled.conclusion()).isEqualTo(CheckReport.Conclusion.CANCELLED);
    assertThat(failed.stage()).isEqualTo(CheckReport.Stage.RUN_ENDED);
    assertThat(CheckReports.stageOf("completed", failed.title()))
        .isEqualTo(CheckReport.Stage.RUN_ENDED);
    assertThat(failed.summary()).contains("IMAGE_DIGEST");
  }

  @Test
  void runChanged_started_reportsNothing() {
    assertThat(CheckReports.runChanged(ReportEvents.runEnded(RunEvent.Phase.STARTED))).isEmpty();
  }

  @Test
  void stageOf_checkRunStates_readBackAsStages() {
    assertThat(CheckReports.stageOf("queued", "Accepted, waiting for the decision"))
        .isEqualTo(CheckReport.Stage.ACCEPTED);
    assertThat(CheckReports.stageOf("completed", "Denied: SIGNATURE_MISSING"))
        .isEqualTo(CheckReport.Stage.DECIDED);
  }

  @Test
  void description_longTitle_fitsGitHubsLimit() {
    CheckReport report =
        new CheckReport(
            CheckReport.Stage.DECIDED,
            CheckReport.Status.COMPLETED,
            CheckReport.Conclusion.FAILURE,
            "Denied: " + "X".repeat(300),
            "",
            "",
            ReportEvents.AT);

    assertThat(CheckReports.description(report)).hasSizeLessThanOrEqualTo(140);
  }

  @Test
  void decided_recordedInTheLedger_showsSeqAndRecordHash() {
    LedgerEntry recorded = new LedgerEntry(42, "sha256:" + "ab".repeat(32));

    CheckReport report =
        CheckReports.decided(ReportEvents.denied(), java.util.Optional.of(recorded));

    assertThat(report.summary())
        .contains("recorded in Tollgate's ledger at seq 42", "sha256:" + "ab".repeat(32));
    assertThat(report.recorded()).isEqualTo(recorded);
    assertThat(CheckReports.decided(ReportEvents.denied()).summary()).doesNotContain("at seq");
  }

  @Test
  void description_longTitleWithSeq_keepsTheSeqWithin140() {
    CheckReport decided =
        CheckReports.decided(
            ReportEvents.denied(),
            java.util.Optional.of(new LedgerEntry(1234567, "sha256:" + "ab".repeat(32))));
    CheckReport longTitle =
        new CheckReport(
            decided.stage(),
            decided.status(),
            decided.conclusion(),
            "Denied: " + "SIGNATURE_MISSING, ".repeat(20),
            decided.summary(),
            decided.text(),
            decided.asOf(),
            decided.recorded());

    String description = CheckReports.description(longTitle);

    assertThat(description).hasSize(140).endsWith("… (ledger seq 1234567)");
    assertThat(CheckReports.description(decided)).endsWith(" (ledger seq 1234567)");
  }
}
