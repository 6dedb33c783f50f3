package dev.tollgate.gateway.report;

import dev.tollgate.gateway.report.CheckReport.Conclusion;
import dev.tollgate.gateway.report.CheckReport.Stage;
import dev.tollgate.gateway.report.CheckReport.Status;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What each event shows on the commit: pure functions from the trigger, the decision (its reason
 * codes, messages and remedies, from the verifier's reason catalog, carried in the event) and the
 * run's end, to a {@link CheckReport}.
 */
public final class CheckReports {

  /** Every title of a report about a run's end starts so; it marks that stage on GitHub. */
  static final String RUN_TITLE_PREFIX = "Run ";

  private CheckReports() {}

  /** Queued: the gateway accepted the trigger; the verifier has not decided yet. */
  public static CheckReport accepted(TriggerEvent trigger) {
    return new CheckReport(
        Stage.ACCEPTED,
        Status.QUEUED,
        null,
        "Accepted, waiting for the decision",
        "Tollgate accepted this `"
            + trigger.event()
            + (trigger.action() == null ? "" : "` (`" + trigger.action())
            + "`) trigger and is verifying the pipeline it asks for.",
        ledgerLine(trigger.triggerId()),
        trigger.receivedAt());
  }

  /** Completed with the decision, its ledger record not known yet. */
  public static CheckReport decided(DecisionEvent decision) {
    return decided(decision, Optional.empty());
  }

  /**
   * Completed with the decision: success when admitted, failure when denied or in error; with the
   * ledger's sequence number and record hash of the decision once its signed record was read.
   */
  public static CheckReport decided(DecisionEvent decision, Optional<LedgerEntry> recorded) {
    StringBuilder summary = new StringBuilder();
    String title;
    Conclusion conclusion;
    switch (decision.outcome()) {
      case ADMITTED -> {
        conclusion = Conclusion.SUCCESS;
        DecisionEvent.PipelineRunRef run = decision.pipelineRun();
        title =
            "Admitted"
                + (decision.mode() == DecisionEvent.Mode.AUDIT && !decision.violations().isEmpty()
                    ? " in audit mode, with violations"
                    : "")
                + ": PipelineRun "
                + run.namespace()
                + "/"
                + run.name();
        summary
            .append("**Admitted** by policy `")
            .append(decision.policy().name())
            .append("` (version `")
            .append(decision.policy().version())
            .append("`). PipelineRun `")
            .append(run.namespace())
            .append('/')
            .append(run.name())
            .append("` runs the verified bundle `")
            .append(run.bundle())
            .append("`.\n");
      }
      case DENIED -> {
        conclusion = Conclusion.FAILURE;
        title = "Denied: " + codes(decision.reasons());
        summary.append("**Denied**").append(policy(decision)).append(". Nothing runs.\n");
      }
      case ERROR -> {
        conclusion = Conclusion.FAILURE;
        title = "Not decided (error): " + codes(decision.reasons());
        summary
            .append("**Not decided**")
            .append(policy(decision))
            .append(": the verifier could not decide, so nothing runs. It is safe to retry.\n");
      }
      case IGNORED -> {
        conclusion = Conclusion.NEUTRAL;
        title = "Ignored: " + codes(decision.reasons());
        summary.append("**Ignored**: no policy applies to this trigger. Nothing runs.\n");
      }
      default -> throw new IllegalStateException("unknown outcome " + decision.outcome());
    }
    recorded.ifPresent(r -> summary.append(recordedLine(r)));
    reasons(summary, "Reasons", decision.reasons());
    reasons(summary, "Violations (audit mode: admitted anyway)", decision.violations());
    StringBuilder text = new StringBuilder();
    if (decision.verification() != null) {
      text.append("### Bundle verification\n\n")
          .append("`")
          .append(decision.verification().requested())
          .append("`")
          .append(
              decision.verification().pinned() == null
                  ? ""
                  : " pinned to `" + decision.verification().pinned() + "`")
          .append(": ")
          .append(decision.verification().verdict().wire())
          .append("\n\n| check | subject | outcome | code |\n|---|---|---|---|\n");
      for (DecisionEvent.Check check : decision.verification().checks()) {
        text.append("| ")
            .append(cell(check.check()))
            .append(" | ")
            .append(cell(check.subject()))
            .append(" | ")
            .append(check.outcome().wire())
            .append(" | ")
            .append(cell(check.code()))
            .append(" |\n");
      }
      text.append('\n');
      for (DecisionEvent.Check check : decision.verification().checks()) {
        if (check.outcome() != DecisionEvent.CheckOutcome.PASSED) {
          text.append("- **")
              .append(check.code())
              .append("** (")
              .append(check.check())
              .append(" on `")
              .append(check.subject())
              .append("`): ")
              .append(check.message())
              .append("\n  - Remedy: ")
              .append(check.remediation())
              .append('\n');
        }
      }
      text.append('\n');
    }
    text.append("Decision `").append(decision.decisionId()).append("`. ");
    text.append(ledgerLine(decision.triggerId()));
    return new CheckReport(
        Stage.DECIDED,
        Status.COMPLETED,
        conclusion,
        title,
        summary.toString(),
        text.toString(),
        decision.decidedAt(),
        recorded.orElse(null));
  }

  /** The decision's place in the ledger, as the check's summary shows it. */
  static String recordedLine(LedgerEntry recorded) {
    return "\nThe decision is recorded in Tollgate's ledger at seq "
        + recorded.seq()
        + " (record hash `"
        + recorded.recordHash()
        + "`).\n";
  }

  /**
   * Completed with the run's outcome once an admitted PipelineRun ended; nothing for a run that
   * started (the decision already said it was admitted), for TaskRuns, or for runs Tollgate did not
   * admit.
   */
  public static Optional<CheckReport> runChanged(RunEvent run) {
    return runChanged(run, Optional.empty());
  }

  /** As {@link #runChanged(RunEvent)}, keeping the decision's ledger seq once it is known. */
  public static Optional<CheckReport> runChanged(RunEvent run, Optional<LedgerEntry> recorded) {
    if (run.kind() != RunEvent.Kind.PIPELINE_RUN || !run.admitted() || run.triggerId() == null) {
      return Optional.empty();
    }
    String name = "PipelineRun " + run.namespace() + "/" + run.name();
    Conclusion conclusion;
    String verb;
    switch (run.phase()) {
      case SUCCEEDED -> {
        conclusion = Conclusion.SUCCESS;
        verb = "succeeded";
      }
      case FAILED -> {
        conclusion = Conclusion.FAILURE;
        verb = "failed";
      }
      case CANCELLED -> {
        conclusion = Conclusion.CANCELLED;
        verb = "was cancelled";
      }
      case STARTED -> {
        return Optional.empty();
      }
      default -> throw new IllegalStateException("unknown phase " + run.phase());
    }
    StringBuilder summary =
        new StringBuilder(
            "Admitted, and `" + run.namespace() + "/" + run.name() + "` " + verb + ".\n");
    if (!run.results().isEmpty()) {
      summary.append("\n| result | value |\n|---|---|\n");
      run.results().entrySet().stream()
          .sorted(java.util.Map.Entry.comparingByKey())
          .forEach(
              e ->
                  summary
                      .append("| ")
                      .append(cell(e.getKey()))
                      .append(" | ")
                      .append(cell(e.getValue()))
                      .append(" |\n"));
    }
    if (run.chainsSigned() != null) {
      summary
          .append("\nTekton Chains signed its results: ")
          .append(run.chainsSigned() ? "yes" : "no")
          .append(".\n");
    }
    recorded.ifPresent(r -> summary.append(recordedLine(r)));
    return Optional.of(
        new CheckReport(
            Stage.RUN_ENDED,
            Status.COMPLETED,
            conclusion,
            RUN_TITLE_PREFIX + verb + ": " + name,
            summary.toString(),
            (run.decisionId() == null ? "" : "Decision `" + run.decisionId() + "`. ")
                + ledgerLine(run.triggerId()),
            run.observedAt(),
            recorded.orElse(null)));
  }

  /** The stage a check run on GitHub shows, from its status and output title. */
  static Stage stageOf(String status, String title) {
    if (!Status.COMPLETED.wire().equals(status)) {
      return Stage.ACCEPTED;
    }
    return title != null && title.startsWith(RUN_TITLE_PREFIX) ? Stage.RUN_ENDED : Stage.DECIDED;
  }

  /** The stage a commit status shows, from its state and description. */
  static Stage stageOfStatus(String state, String description) {
    if ("pending".equals(state)) {
      return Stage.ACCEPTED;
    }
    return description != null && description.startsWith(RUN_TITLE_PREFIX)
        ? Stage.RUN_ENDED
        : Stage.DECIDED;
  }

  /** GitHub's limit on a commit status's description. */
  static final int MAX_DESCRIPTION = 140;

  /**
   * A commit status's description: the title, and the decision's ledger seq when known, within
   * GitHub's 140 characters (the title is shortened, never the seq).
   */
  static String description(CheckReport report) {
    String suffix =
        report.recorded() == null ? "" : " (ledger seq " + report.recorded().seq() + ")";
    String title = report.title();
    int room = MAX_DESCRIPTION - suffix.length();
    return (title.length() <= room ? title : title.substring(0, room - 1) + "…") + suffix;
  }

  private static String ledgerLine(String triggerId) {
    return "Tollgate's ledger records this trigger as `"
        + triggerId
        + "`: `auditor replay --trigger "
        + triggerId
        + "` lists its trigger, decision and run records.";
  }

  private static String policy(DecisionEvent decision) {
    return decision.policy() == null
        ? ""
        : " by policy `"
            + decision.policy().name()
            + "` (version `"
            + decision.policy().version()
            + "`"
            + (decision.mode() == null ? "" : ", " + decision.mode().wire() + " mode")
            + ")";
  }

  private static String codes(List<Reason> reasons) {
    return reasons.stream().map(Reason::code).distinct().collect(Collectors.joining(", "));
  }

  private static void reasons(StringBuilder out, String heading, List<Reason> reasons) {
    if (reasons.isEmpty()) {
      return;
    }
    out.append("\n### ").append(heading).append("\n\n");
    for (Reason reason : reasons) {
      out.append("- **").append(reason.code()).append("**: ").append(reason.message());
      if (reason.remediation() != null && !reason.remediation().isBlank()) {
        out.append("\n  - Remedy: ").append(reason.remediation());
      }
      out.append('\n');
    }
  }

  /** A value in a Markdown table cell: no line breaks, no column separators. */
  private static String cell(String value) {
    return value.replace('\n', ' ').replace('\r', ' ').replace("|", "\\|");
  }
}
