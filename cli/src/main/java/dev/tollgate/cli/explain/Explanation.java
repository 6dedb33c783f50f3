package dev.tollgate.cli.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.cli.decision.Remedies;
import dev.tollgate.cli.ledger.Recorded;
import dev.tollgate.cli.ledger.SealedPayloads;
import dev.tollgate.cli.ledger.TriggerHistory;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.report.CheckName;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;

/** A trigger's history told in words (text) or as one JSON document. */
final class Explanation {

  private static final String INDENT = "  ";

  private Explanation() {}

  static void text(PrintWriter out, TriggerHistory history, SealedPayloads sealed) {
    for (Recorded recorded : history.triggers()) {
      SealedPayloads.Opened opened = sealed.open(recorded);
      Recorded t = shown(recorded, opened);
      Recorded.Bound<TriggerEvent> bound = t.payloadAs(TriggerEvent.class);
      out.println(
          "Trigger "
              + history.triggerId()
              + bound.value().map(Explanation::what).map(w -> ": " + w).orElse(""));
      out.println(INDENT + "recorded at seq " + t.seq() + " (" + t.time() + ")");
      out.println(INDENT + "event signature: " + t.authenticity());
      sealedLine(opened).ifPresent(line -> out.println(INDENT + line));
      if (bound.value().isEmpty()) {
        out.println(INDENT + "its data does not read as a trigger: " + bound.why());
      }
    }
    if (history.triggers().isEmpty()) {
      out.println("Trigger " + history.triggerId() + ": the ledger holds no record of the trigger");
    }
    if (history.decisions().isEmpty()) {
      out.println();
      out.println(
          "Decision: none recorded (the verifier has not decided it, or its decision has not");
      out.println(INDENT + "reached the ledger yet)");
    }
    for (Recorded d : history.decisions()) {
      out.println();
      SealedPayloads.Opened opened = sealed.open(d);
      decision(out, shown(d, opened));
      sealedLine(opened).ifPresent(line -> out.println(INDENT + line));
    }
    for (Recorded recorded : history.runs()) {
      out.println();
      SealedPayloads.Opened opened = sealed.open(recorded);
      Recorded r = shown(recorded, opened);
      JsonNode run = r.payload().orElse(Json.mapper().createObjectNode());
      out.println(
          "Run "
              + run.path("namespace").asText("?")
              + "/"
              + run.path("name").asText("?")
              + ": "
              + run.path("phase").asText("?")
              + " (observed "
              + run.path("observedAt").asText("?")
              + ")");
      out.println(INDENT + "recorded at seq " + r.seq() + "; event signature: " + r.authenticity());
      sealedLine(opened).ifPresent(line -> out.println(INDENT + line));
    }
  }

  /** The record with its payload whole when it could be put back, else as the ledger holds it. */
  private static Recorded shown(Recorded recorded, SealedPayloads.Opened opened) {
    return opened instanceof SealedPayloads.Whole whole ? whole.record() : recorded;
  }

  /** What was sealed: put back, or why not (the payload shown then holds commitments). */
  private static Optional<String> sealedLine(SealedPayloads.Opened opened) {
    if (opened instanceof SealedPayloads.Withheld withheld) {
      return Optional.of(
          withheld.why() + " (what is shown of it holds commitments, not the sealed content)");
    }
    SealedPayloads.Whole whole = (SealedPayloads.Whole) opened;
    return whole.restored().isEmpty()
        ? Optional.empty()
        : Optional.of(
            "payload sealed: "
                + String.join(", ", whole.restored())
                + " put back from the sealed store, each matching its commitment");
  }

  private static void decision(PrintWriter out, Recorded d) {
    Recorded.Bound<DecisionEvent> bound = d.payloadAs(DecisionEvent.class);
    if (bound.value().isEmpty()) {
      out.println(
          "Decision record at seq " + d.seq() + " does not read as a decision: " + bound.why());
      out.println(INDENT + "event signature: " + d.authenticity());
      return;
    }
    DecisionEvent e = bound.value().get();
    out.println(
        "Decision: "
            + e.outcome().wire().toUpperCase(Locale.ROOT)
            + Optional.ofNullable(e.policy())
                .map(p -> " under policy " + p.name() + " (version " + p.version() + ")")
                .orElse(" (no policy applied)")
            + Optional.ofNullable(e.mode()).map(m -> ", " + m.wire() + " mode").orElse("")
            + ", decided at "
            + e.decidedAt());
    out.println(INDENT + "recorded at seq " + d.seq() + " (" + d.time() + ")");
    out.println(INDENT + "event signature: " + d.authenticity());
    if (!d.authenticated()) {
      out.println(
          INDENT
              + "WARNING: not shown to be the verifier's decision: what follows is what the event"
              + " says, not what the verifier decided");
    }
    out.println(INDENT + (e.outcome() == DecisionEvent.Outcome.ADMITTED ? "Notes:" : "Why:"));
    for (Reason r : e.reasons()) {
      reason(out, r, INDENT + INDENT);
    }
    if (!e.violations().isEmpty() && e.mode() == DecisionEvent.Mode.AUDIT) {
      out.println(INDENT + "Violations admitted anyway (audit mode):");
      for (Reason r : e.violations()) {
        reason(out, r, INDENT + INDENT);
      }
    }
    if (e.verification() != null) {
      DecisionEvent.Verification v = e.verification();
      out.println(
          INDENT
              + "Checks of bundle "
              + v.requested()
              + (v.pinned() == null ? "" : " (pinned " + v.pinned() + ")")
              + ": "
              + v.verdict().wire()
              + ", verified at "
              + v.verifiedAt()
              + (v.cached() ? " (cached result)" : "")
              + " under trust configuration "
              + v.trustFingerprint());
      for (DecisionEvent.Check c : v.checks()) {
        check(out, c);
      }
    }
    if (e.pipelineRun() != null) {
      out.println(
          INDENT
              + "PipelineRun "
              + e.pipelineRun().namespace()
              + "/"
              + e.pipelineRun().name()
              + " runs bundle "
              + e.pipelineRun().bundle());
    }
    if (e.namespace() != null
        && (!e.namespace().created().isEmpty() || !e.namespace().repaired().isEmpty())) {
      out.println(
          INDENT
              + "Namespace "
              + e.namespace().name()
              + ": created "
              + e.namespace().created()
              + ", repaired "
              + e.namespace().repaired());
    }
  }

  private static void reason(PrintWriter out, Reason r, String indent) {
    out.println(indent + r.code() + ": " + r.message());
    remedy(r.code(), r.remediation())
        .ifPresent(fix -> out.println(indent + "  What to do: " + fix));
  }

  private static void check(PrintWriter out, DecisionEvent.Check c) {
    String plain = CheckName.of(c.check()).map(CheckName::checks).orElse(c.check());
    String mark =
        switch (c.outcome()) {
          case PASSED -> "passed";
          case FAILED -> "FAILED";
          case ERROR -> "ERROR ";
        };
    out.println(INDENT + INDENT + mark + "  " + c.check() + " · " + c.subject() + ": " + plain);
    if (c.outcome() == DecisionEvent.CheckOutcome.PASSED) {
      out.println(INDENT + INDENT + "        " + c.message());
    } else {
      out.println(INDENT + INDENT + "        " + c.code() + ": " + c.message());
      remedy(c.code(), c.remediation())
          .ifPresent(fix -> out.println(INDENT + INDENT + "        What to do: " + fix));
    }
  }

  /**
   * What to do: the remediation recorded with the decision, and the catalog's when it says more
   * (the catalog may have been improved since the decision was made).
   */
  static Optional<String> remedy(String code, String recorded) {
    Optional<String> catalog = Remedies.of(code);
    if (recorded == null || recorded.isBlank()) {
      return catalog;
    }
    if (catalog.isPresent() && !catalog.get().equals(recorded)) {
      return Optional.of(recorded + " (The catalog now says: " + catalog.get() + ")");
    }
    return Optional.of(recorded);
  }

  /** {@code push to acme/payments refs/heads/main at ec26c3e by octocat, accepted at ...}. */
  private static String what(TriggerEvent t) {
    StringBuilder s = new StringBuilder(t.event());
    if (t.action() != null) {
      s.append(" (").append(t.action()).append(')');
    }
    if (t.repository() != null) {
      s.append(" to ").append(t.repository());
    }
    if (t.ref() != null) {
      s.append(' ').append(t.ref());
    }
    if (t.headSha() != null) {
      s.append(" at ").append(t.headSha(), 0, Math.min(12, t.headSha().length()));
    }
    if (t.sender() != null) {
      s.append(" by ").append(t.sender().login());
    }
    return s.append(", accepted by the gateway at ").append(t.receivedAt()).toString();
  }

  static ObjectNode json(TriggerHistory history, SealedPayloads sealed) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("triggerId", history.triggerId());
    root.set("triggers", records(history.triggers(), sealed));
    ArrayNode decisions = root.putArray("decisions");
    for (Recorded recorded : history.decisions()) {
      SealedPayloads.Opened opened = sealed.open(recorded);
      Recorded d = shown(recorded, opened);
      ObjectNode decision = record(d, opened);
      Recorded.Bound<DecisionEvent> bound = d.payloadAs(DecisionEvent.class);
      bound
          .value()
          .ifPresent(
              e -> {
                ArrayNode remedies = decision.putArray("remedies");
                for (Reason r : e.reasons()) {
                  ObjectNode remedy = remedies.addObject();
                  remedy.put("code", r.code());
                  remedy.put("remediation", remedy(r.code(), r.remediation()).orElse(null));
                }
                if (e.verification() != null) {
                  ArrayNode checks = decision.putArray("checks");
                  for (DecisionEvent.Check c : e.verification().checks()) {
                    ObjectNode check = checks.addObject();
                    check.put("check", c.check());
                    check.put(
                        "checks", CheckName.of(c.check()).map(CheckName::checks).orElse(null));
                    check.put("subject", c.subject());
                    check.put("outcome", c.outcome().wire());
                    check.put("code", c.code());
                    check.put("message", c.message());
                    check.put("remediation", remedy(c.code(), c.remediation()).orElse(null));
                  }
                }
              });
      decisions.add(decision);
    }
    root.set("runs", records(history.runs(), sealed));
    return root;
  }

  private static ArrayNode records(java.util.List<Recorded> list, SealedPayloads sealed) {
    ArrayNode array = Json.mapper().createArrayNode();
    for (Recorded recorded : list) {
      SealedPayloads.Opened opened = sealed.open(recorded);
      array.add(record(shown(recorded, opened), opened));
    }
    return array;
  }

  /**
   * A record as JSON; {@code sealed} says what was sealed in it: {@code {"status": "restored",
   * "pointers": [...]}}, or {@code {"status": "withheld", "why": ...}} when its event holds
   * commitments in place of sealed parts.
   */
  private static ObjectNode record(Recorded r, SealedPayloads.Opened opened) {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("seq", r.seq());
    json.put("time", r.time().toString());
    json.put("eventId", r.eventId());
    json.put("authenticated", r.authenticated());
    json.put("authenticity", r.authenticity());
    json.set("event", r.payload().orElse(null));
    if (opened instanceof SealedPayloads.Withheld withheld) {
      ObjectNode s = json.putObject("sealed");
      s.put("status", "withheld");
      s.put("why", withheld.why());
    } else if (opened instanceof SealedPayloads.Whole whole && !whole.restored().isEmpty()) {
      ObjectNode s = json.putObject("sealed");
      s.put("status", "restored");
      ArrayNode pointers = s.putArray("pointers");
      whole.restored().forEach(pointers::add);
    }
    return json;
  }
}
