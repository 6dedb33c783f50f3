package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: prints the ledger's records one line each, in seq order, verifying the chain on
 * the way (a record that does not verify ends the replay with {@code FAIL at seq ...}, exit 1).
 * Filters by kind, trigger id, time and seq range; {@code --json} prints the stored records
 * themselves.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = "Print a ledger's records, verified, filtered by kind, trigger, time or seq.")
public final class ReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerTopicOptions source;

  @Option(
      names = "--from-export",
      paramLabel = "DIR",
      description = "Replay the directory `export` wrote instead of the topic.")
  Path fromExport;

  @Option(
      names = "--public-key",
      paramLabel = "PEM",
      description = "Ed25519 public key trusted for the first record (default for an export: its).")
  List<Path> publicKeys = new ArrayList<>();

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      split = ",",
      description =
          "Only these kinds: trigger, rejection, decision, run, checkpoint, key-rotation.")
  List<String> kinds = new ArrayList<>();

  @Option(
      names = "--trigger",
      paramLabel = "ID",
      description = "Only records that link this trigger id.")
  String trigger;

  @Option(names = "--since", paramLabel = "INSTANT", description = "Only records at or after.")
  Instant since;

  @Option(names = "--until", paramLabel = "INSTANT", description = "Only records before.")
  Instant until;

  @Option(names = "--from-seq", paramLabel = "N", description = "Only records from this seq.")
  long fromSeq = 0;

  @Option(names = "--to-seq", paramLabel = "N", description = "Only records up to this seq.")
  long toSeq = Long.MAX_VALUE;

  @Option(names = "--json", description = "Print each matching stored record as one JSON line.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Set<LedgerRecord.Kind> wanted = EnumSet.noneOf(LedgerRecord.Kind.class);
    for (String kind : kinds) {
      Optional<LedgerRecord.Kind> known =
          EnumSet.allOf(LedgerRecord.Kind.class).stream()
              .filter(k -> k.wire().equals(kind))
              .findFirst();
      if (known.isEmpty()) {
        return AuditorCommand.usageError(err, "unknown --kind " + kind);
      }
      wanted.add(known.get());
    }
    long[] shown = {0};
    InjectedValues injected = new InjectedValues();
    ParallelVerifier.Listener listener =
        new ParallelVerifier.Listener() {
          @Override
          public void verified(ChainEntry entry, byte[] value) {
            JsonNode record = tree(value);
            if (matches(entry.seq(), entry.kind(), record, wanted)) {
              out.println(json ? new String(value, StandardCharsets.UTF_8) : line(record));
              shown[0]++;
            }
          }

          @Override
          public void injected(long offset, Injected value) {
            injected.add(offset, value);
            // In place among the records; with --json the output is stored records only.
            PrintWriter to = json ? err : out;
            to.println("INJECTED at offset " + offset + ": " + value.describe());
          }
        };
    ChainHead head;
    try {
      head = VerifiedRead.all(source, fromExport, publicKeys, out, err, listener);
    } catch (VerifiedRead.StoppedException e) {
      return e.exitCode();
    }
    out.flush();
    err.println(
        shown[0]
            + " of "
            + head.size()
            + " records shown, all verified"
            + (injected.isEmpty()
                ? ""
                : "; " + injected.size() + " injected values skipped (not the ledger's)"));
    err.flush();
    return AuditorCommand.OK;
  }

  private boolean matches(
      long seq, LedgerRecord.Kind kind, JsonNode record, Set<LedgerRecord.Kind> wanted) {
    if (seq < fromSeq || seq > toSeq || (!wanted.isEmpty() && !wanted.contains(kind))) {
      return false;
    }
    Instant time = Instant.parse(record.path("time").asText());
    if ((since != null && time.isBefore(since)) || (until != null && !time.isBefore(until))) {
      return false;
    }
    return trigger == null || trigger.equals(record.path("links").path("triggerId").asText(null));
  }

  /** One human-readable line: seq, time, kind, event id, links and what happened. */
  static String line(JsonNode record) {
    StringJoiner line = new StringJoiner("  ");
    line.add(String.format(java.util.Locale.ROOT, "#%-6d", record.path("seq").asLong()));
    line.add(record.path("time").asText());
    line.add(String.format(java.util.Locale.ROOT, "%-12s", record.path("kind").asText()));
    line.add(record.path("eventId").asText());
    JsonNode links = record.path("links");
    JsonNode payload = record.path("payload");
    for (String field : List.of("triggerId", "decisionId", "runUid")) {
      if (links.hasNonNull(field)) {
        line.add(field.replace("Id", "").replace("Uid", "") + "=" + links.get(field).asText());
      }
    }
    links.path("imageDigests").forEach(d -> line.add("image=" + d.asText()));
    switch (record.path("kind").asText()) {
      case "decision" -> line.add("outcome=" + payload.path("outcome").asText("?"));
      case "run" -> {
        line.add("phase=" + payload.path("phase").asText("?"));
        line.add("admitted=" + payload.path("admitted").asText("?"));
        if (payload.path("resolution").isObject()) {
          line.add("resolution=" + payload.path("resolution").path("result").asText("?"));
        }
      }
      case "checkpoint" ->
          line.add(
              "size="
                  + payload.path("size").asText()
                  + " root="
                  + payload.path("rootHash").asText());
      case "key-rotation" -> line.add("new key=" + payload.path("keyId").asText());
      default -> {
        // Triggers and rejections say enough by their links and id.
      }
    }
    return line.toString();
  }

  private static JsonNode tree(byte[] value) {
    try {
      return Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("a verified record is not JSON", e);
    }
  }
}
