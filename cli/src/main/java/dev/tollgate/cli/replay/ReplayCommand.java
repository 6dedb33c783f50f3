package dev.tollgate.cli.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.cli.OutputFormat;
import dev.tollgate.cli.TollgateCommand;
import dev.tollgate.cli.decision.Conclusion;
import dev.tollgate.cli.ledger.LedgerOptions;
import dev.tollgate.cli.ledger.LedgerSourceException;
import dev.tollgate.cli.ledger.Recorded;
import dev.tollgate.cli.ledger.SealedPayloads;
import dev.tollgate.cli.ledger.TriggerHistory;
import dev.tollgate.schemas.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate replay --policies DIR --since TIME}: the recorded triggers of the window decided
 * again under the policies of {@code DIR}, each compared with its recorded decision, and a summary
 * of what changes. Creates nothing and contacts no registry. Exit 0 when replayed (whatever
 * changes), 1 when the ledger does not verify, 2 when the policies or the ledger cannot be read.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "What the policies of DIR would have decided on the triggers the ledger recorded, and what"
          + " changes. Creates nothing (no PipelineRun, event or approval) and contacts no"
          + " registry: a bundle's verification is reused from the recorded decision when the"
          + " bundle, trust configuration and pipeline are the same; otherwise the trigger is"
          + " undetermined."
    })
public final class ReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerOptions ledger;

  @Option(
      names = "--policies",
      required = true,
      paramLabel = "DIR",
      description = "Directory of TriggerPolicy YAML files (and the trust files they name).")
  Path policies;

  @Option(
      names = "--since",
      required = true,
      paramLabel = "TIME",
      description =
          "Triggers accepted at or after this instant (2026-11-22T00:00:00Z), or this long ago"
              + " (an ISO-8601 duration such as P7D or PT12H).")
  String since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Triggers accepted before this instant (default: all).")
  String until;

  @Option(
      names = "--sealed-store",
      paramLabel = "DIR",
      description =
          "The ledger's sealed store (<data-dir>/sealed): sealed parts of trigger payloads are put"
              + " back from it when they match their commitments. Without it, or for an erased or"
              + " mismatched part, the trigger is undetermined.")
  Path sealedStore;

  @Option(names = "--all", description = "List unchanged triggers too, not only changes.")
  boolean all;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

  /** The clock {@code --since P7D} counts back from; tests fix it. */
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Instant from;
    Instant to;
    PolicyDirectory directory;
    SealedPayloads sealed;
    try {
      from = instant(since, "--since");
      to = until == null ? Instant.MAX : instant(until, "--until");
      directory = PolicyDirectory.read(policies);
      sealed = SealedPayloads.of(sealedStore);
    } catch (IllegalArgumentException
        | PolicyDirectory.PolicyDirectoryException
        | LedgerSourceException e) {
      err.println("ERROR: " + e.getMessage());
      err.flush();
      return TollgateCommand.USAGE;
    }
    Replay replay = new Replay(directory.policies(), sealed);
    Map<String, TriggerHistory> window = new LinkedHashMap<>();
    LedgerOptions.Verified verified;
    try {
      verified =
          ledger.readOrStop(
              (seq, record) -> {
                Recorded r = Recorded.of(seq, record);
                String id = r.triggerId().orElse(null);
                if (id == null) {
                  return;
                }
                if (r.kind().equals("trigger") && !window.containsKey(id)) {
                  Instant accepted = accepted(r);
                  if (accepted.isBefore(from)) {
                    replay.before(r);
                    return;
                  }
                  if (!accepted.isBefore(to)) {
                    return;
                  }
                  window.put(id, new TriggerHistory(id));
                }
                TriggerHistory h = window.get(id);
                if (h != null) {
                  h.add(r);
                }
              },
              out,
              err,
              "nothing was replayed");
    } catch (LedgerOptions.StoppedException e) {
      return e.exitCode();
    }
    List<Replay.Result> results = new ArrayList<>();
    for (TriggerHistory h : window.values()) {
      results.add(replay.replay(h));
    }
    switch (output) {
      case JSON -> out.println(json(results, from, to, directory, verified, replay.sealedBefore()));
      case TEXT -> text(out, results, from, directory, verified, replay.sealedBefore());
    }
    out.flush();
    return TollgateCommand.OK;
  }

  private void text(
      PrintWriter out,
      List<Replay.Result> results,
      Instant from,
      PolicyDirectory directory,
      LedgerOptions.Verified verified,
      long sealedBefore) {
    out.println(
        "Replaying "
            + results.size()
            + " recorded triggers accepted since "
            + from
            + " under "
            + directory.policies().size()
            + " policies of "
            + policies);
    for (Replay.Result r : results) {
      if (r.change() == Replay.Change.UNCHANGED && !all) {
        continue;
      }
      out.println(
          String.format(
              Locale.ROOT,
              "%-12s %s  seq %d  %s",
              r.change().name().toLowerCase(Locale.ROOT),
              r.triggerId(),
              r.seq(),
              r.trigger()));
      out.println(
          "    "
              + r.recorded().map(c -> c.brief()).orElse("no decision recorded")
              + "  ->  "
              + r.replayed().map(c -> c.brief()).orElse("undetermined"));
      for (String note : r.notes()) {
        out.println("    note: " + note);
      }
    }
    Map<Replay.Change, Long> counts = counts(results);
    out.println(
        "Summary: "
            + results.size()
            + " triggers: "
            + counts.get(Replay.Change.UNCHANGED)
            + " unchanged, "
            + counts.get(Replay.Change.CHANGED)
            + " changed, "
            + counts.get(Replay.Change.UNDETERMINED)
            + " undetermined");
    transitions(results).forEach((t, n) -> out.println("  " + t + ": " + n));
    if (sealedBefore > 0) {
      out.println(sealedBeforeNote(sealedBefore));
    }
    out.println(
        "Nothing was created (no PipelineRun, event or approval) and no registry was contacted.");
    out.println(verified.describe() + ".");
  }

  private String json(
      List<Replay.Result> results,
      Instant from,
      Instant to,
      PolicyDirectory directory,
      LedgerOptions.Verified verified,
      long sealedBefore)
      throws JsonProcessingException {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("since", from.toString());
    root.put("until", to.equals(Instant.MAX) ? null : to.toString());
    ArrayNode names = root.putArray("policies");
    directory
        .policies()
        .forEach(
            p -> {
              ObjectNode policy = names.addObject();
              policy.put("name", p.name());
              policy.put("version", p.version());
            });
    ArrayNode triggers = root.putArray("triggers");
    for (Replay.Result r : results) {
      ObjectNode t = triggers.addObject();
      t.put("triggerId", r.triggerId());
      t.put("seq", r.seq());
      t.put("trigger", r.trigger());
      t.put("change", r.change().name().toLowerCase(Locale.ROOT));
      t.set("recorded", r.recorded().map(Conclusion::toJson).orElse(null));
      t.set("replayed", r.replayed().map(Conclusion::toJson).orElse(null));
      ArrayNode notes = t.putArray("notes");
      r.notes().forEach(notes::add);
    }
    ObjectNode summary = root.putObject("summary");
    summary.put("triggers", results.size());
    counts(results).forEach((c, n) -> summary.put(c.name().toLowerCase(Locale.ROOT), n));
    ObjectNode transitions = summary.putObject("transitions");
    transitions(results).forEach(transitions::put);
    if (sealedBefore > 0) {
      summary.put("sealedBefore", sealedBefore);
      summary.put("sealedBeforeNote", sealedBeforeNote(sealedBefore));
    }
    root.put("created", "nothing; no registry was contacted");
    root.put("ledger", verified.describe());
    return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  private static String sealedBeforeNote(long sealedBefore) {
    return "Note: "
        + sealedBefore
        + " triggers before the window have sealed payloads that could not be put back, so they"
        + " fed no approval (/ok-to-test) to the replay";
  }

  private static Map<Replay.Change, Long> counts(List<Replay.Result> results) {
    Map<Replay.Change, Long> counts = new java.util.EnumMap<>(Replay.Change.class);
    for (Replay.Change c : Replay.Change.values()) {
      counts.put(c, results.stream().filter(r -> r.change() == c).count());
    }
    return counts;
  }

  /** How many triggers went from one outcome to another, e.g. {@code denied -> admitted: 2}. */
  private static Map<String, Long> transitions(List<Replay.Result> results) {
    Map<String, Long> transitions = new TreeMap<>();
    for (Replay.Result r : results) {
      if (r.change() != Replay.Change.UNCHANGED) {
        transitions.merge(r.transition(), 1L, Long::sum);
      }
    }
    return transitions;
  }

  /** When the gateway accepted the trigger (its receivedAt), else when the ledger recorded it. */
  private static Instant accepted(Recorded r) {
    String received = r.payload().map(p -> p.path("receivedAt").asText(null)).orElse(null);
    if (received != null) {
      try {
        return Instant.parse(received);
      } catch (DateTimeParseException e) {
        return r.time();
      }
    }
    return r.time();
  }

  private Instant instant(String value, String option) {
    try {
      if (value.startsWith("P")) {
        return clock.instant().minus(Duration.parse(value));
      }
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option
              + " "
              + value
              + ": an instant such as 2026-11-22T00:00:00Z, or a duration ago such as P7D",
          e);
    }
  }
}
