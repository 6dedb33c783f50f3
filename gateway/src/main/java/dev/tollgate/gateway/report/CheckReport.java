package dev.tollgate.gateway.report;

import java.time.Instant;

/**
 * What one report shows on the commit, in GitHub's check-run terms (a commit status is derived from
 * it). Reports of one trigger move forward through {@link Stage}s only: a report of an earlier
 * stage never overwrites a later one, whichever replica or redelivery brings it.
 *
 * @param stage how far the trigger has got
 * @param status the check run's status
 * @param conclusion the check run's conclusion, only when completed
 * @param title one line
 * @param summary Markdown: the decision, its reason codes and remedies
 * @param text Markdown: details (the checks made, where to look further)
 * @param asOf when what it reports happened (accepted, decided, run seen ended): a commit status
 *     shown since then of a later stage is newer than this report
 * @param recorded where the ledger recorded the decision, or null while that is not known
 */
public record CheckReport(
    Stage stage,
    Status status,
    Conclusion conclusion,
    String title,
    String summary,
    String text,
    Instant asOf,
    LedgerEntry recorded) {

  /** A report that names no ledger record. */
  public CheckReport(
      Stage stage,
      Status status,
      Conclusion conclusion,
      String title,
      String summary,
      String text,
      Instant asOf) {
    this(stage, status, conclusion, title, summary, text, asOf, null);
  }

  /** GitHub caps a check run's output.title, summary and text; longer values are refused (422). */
  static final int MAX_TITLE = 1000;

  static final int MAX_MARKDOWN = 65_000;

  public CheckReport {
    if (stage == null
        || status == null
        || title == null
        || summary == null
        || text == null
        || asOf == null) {
      throw new IllegalArgumentException(
          "a report has a stage, status, title, summary, text and time");
    }
    if ((status == Status.COMPLETED) != (conclusion != null)) {
      throw new IllegalArgumentException("exactly a completed report has a conclusion");
    }
    title = truncate(title, MAX_TITLE);
    summary = truncate(summary, MAX_MARKDOWN);
    text = truncate(text, MAX_MARKDOWN);
  }

  private static String truncate(String value, int max) {
    if (value.length() <= max) {
      return value;
    }
    return value.substring(0, max - 20) + "\n\n(truncated)";
  }

  /** How far a trigger has got; reports only move forward. */
  public enum Stage {
    /** Accepted by the gateway, not yet decided. */
    ACCEPTED,
    /** Decided by the verifier. */
    DECIDED,
    /** Its PipelineRun ended. */
    RUN_ENDED
  }

  /** A check run's status, as GitHub spells it. */
  public enum Status {
    QUEUED("queued"),
    IN_PROGRESS("in_progress"),
    COMPLETED("completed");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** A check run's conclusion, as GitHub spells it, and the commit status state it maps to. */
  public enum Conclusion {
    SUCCESS("success", "success"),
    FAILURE("failure", "failure"),
    /** Nothing applied (ignored); GitHub's required checks count it as passing. */
    NEUTRAL("neutral", "success"),
    CANCELLED("cancelled", "failure");

    private final String wire;
    private final String commitState;

    Conclusion(String wire, String commitState) {
      this.wire = wire;
      this.commitState = commitState;
    }

    public String wire() {
      return wire;
    }

    /** The commit status state (pending, success, failure, error) shown with a token. */
    public String commitState() {
      return commitState;
    }
  }

  /** The commit status state of this report. */
  public String commitState() {
    return conclusion == null ? "pending" : conclusion.commitState();
  }
}
