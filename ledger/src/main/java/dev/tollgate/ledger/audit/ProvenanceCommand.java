package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.index.IndexedRecord;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.index.Provenance;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code provenance <digest>}: verifies the whole ledger topic like {@code verify}, then prints the
 * records behind an image, image → run → decision → trigger, one line each, marking those the
 * latest checkpoint does not cover yet. With {@code --receipts DIR} it also writes, per covered
 * record, {@code <seq>.entry.json} (the stored bytes) and {@code <seq>.receipt} (C2SP tlog-proof),
 * which {@code verify-receipt} checks offline. Exit 0 when found, 1 when the ledger does not
 * verify, 3 when no run reported the image, 2 on usage and connection errors. Records of events
 * that did not verify under their signer's keys are never links of the chain (a forged decision
 * never makes a run admitted): they are listed as {@code ignored} with why; values on the topic
 * that are not the ledger's records are skipped and listed as {@code INJECTED}.
 */
@Command(
    name = "provenance",
    mixinStandardHelpOptions = true,
    description = "Show the run, decision and trigger behind an image digest, verified.")
public final class ProvenanceCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIGEST", description = "Image digest, sha256:<hex>.")
  String digest;

  @Mixin LedgerTopicOptions source;

  @Option(
      names = "--public-key",
      required = true,
      paramLabel = "PEM",
      description = "Ed25519 public key in PEM that may sign records; repeat for several keys.")
  List<Path> publicKeys = new ArrayList<>();

  @Option(
      names = "--receipts",
      paramLabel = "DIR",
      description = "Write <seq>.entry.json and <seq>.receipt for each checkpointed record here.")
  Path receipts;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Provenance.isDigest(digest)) {
      return AuditorCommand.usageError(err, "DIGEST must be sha256:<64 lowercase hex>");
    }
    List<LedgerPublicKey> keys = new ArrayList<>();
    for (Path file : publicKeys) {
      try {
        keys.add(LedgerPublicKey.read(file));
      } catch (IOException e) {
        return AuditorCommand.usageError(err, "cannot read public key " + file);
      } catch (PublicKeyFormatException e) {
        return AuditorCommand.usageError(err, "not an Ed25519 public key: " + e.getMessage());
      }
    }
    LedgerVerifier ledger = LedgerVerifier.trusting(keys, Optional.empty(), MerkleTree.inMemory());
    LedgerIndex index = new LedgerIndex();
    InjectedValues injected = new InjectedValues();
    List<Long> offsets = new ArrayList<>();
    try (LedgerTopicReader reader = source.open()) {
      reader.readAll(
          (offset, value) -> {
            // A value someone else produced onto the topic is skipped and reported; the chain is
            // verified across it.
            Optional<Injected> foreign = ledger.injected(value, null);
            if (foreign.isPresent()) {
              injected.add(offset, foreign.get());
              return;
            }
            index.add(ledger.verifyNext(value).seq(), value);
            offsets.add(offset);
          });
      ledger.requireOwnRecords();
    } catch (ChainException e) {
      out.println("FAIL at seq " + e.seq() + ": " + e.describe());
      injected.print(out);
      out.flush();
      return AuditorCommand.INVALID;
    } catch (LedgerTopicException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    }
    long size = ledger.head().size();
    Provenance.Trace trace = Provenance.trace(index, digest, size);
    List<Provenance.Link> chain = trace.chain();
    if (chain.isEmpty()) {
      out.println(
          "NOT FOUND: no authenticated run in the "
              + size
              + " verified records reported "
              + digest
              + ignoredNote(trace));
      printIgnored(out, trace, Map.of());
      injected.print(out);
      out.flush();
      return AuditorCommand.NOT_FOUND;
    }
    Map<Long, byte[]> values = new HashMap<>();
    Map<Long, Long> seqAt = new HashMap<>();
    chain.forEach(l -> seqAt.put(offsets.get((int) l.record().seq()), l.record().seq()));
    trace.ignored().forEach(r -> seqAt.put(offsets.get((int) r.seq()), r.seq()));
    try (LedgerTopicReader reader = source.open()) {
      reader.readAll(
          (offset, value) -> {
            Long seq = seqAt.get(offset);
            if (seq != null) {
              values.put(seq, value);
            }
          });
    } catch (LedgerTopicException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    }
    Optional<Checkpoint> checkpoint = ledger.lastCheckpoint();
    out.println(
        "OK: "
            + size
            + " records verified; image "
            + digest
            + ": "
            + chain.size()
            + " records"
            + checkpoint
                .map(c -> ", latest checkpoint " + c.origin() + " size " + c.size())
                .orElse(", no checkpoint yet")
            + ignoredNote(trace)
            + injected.summary());
    for (Provenance.Link link : chain) {
      long seq = link.record().seq();
      boolean covered = checkpoint.isPresent() && seq < checkpoint.get().size();
      out.println(
          String.format(
              Locale.ROOT,
              "%-8s seq %d %s%s",
              link.role().wire(),
              seq,
              summary(values.get(seq)),
              covered ? "" : " [not yet checkpointed]"));
      if (covered && receipts != null) {
        try {
          Files.createDirectories(receipts);
          Files.write(receipts.resolve(seq + ".entry.json"), values.get(seq));
          Files.writeString(
              receipts.resolve(seq + ".receipt"),
              Receipt.forEntry(ledger.tree(), seq, checkpoint.get()).format(),
              StandardCharsets.UTF_8);
        } catch (IOException e) {
          return AuditorCommand.usageError(
              err, "cannot write to " + receipts + " (" + e.getClass().getSimpleName() + ")");
        }
      }
    }
    printIgnored(out, trace, values);
    injected.print(out);
    out.flush();
    return AuditorCommand.OK;
  }

  private static String ignoredNote(Provenance.Trace trace) {
    return trace.ignored().isEmpty()
        ? ""
        : "; "
            + trace.ignored().size()
            + " records ignored: their events did not verify under their signer's keys";
  }

  /** The records left out of the chain because their event was not authenticated, and why. */
  private static void printIgnored(
      PrintWriter out, Provenance.Trace trace, Map<Long, byte[]> values) {
    for (IndexedRecord record : trace.ignored()) {
      byte[] value = values.get(record.seq());
      String why = "unauthenticated";
      if (value != null) {
        JsonNode authentication = authentication(value);
        why =
            authentication.isMissingNode()
                ? "unauthenticated: recorded before the ledger checked event signatures"
                : "unauthenticated "
                    + authentication.path("result").asText()
                    + ": "
                    + authentication.path("why").asText();
      }
      out.println(
          String.format(
              Locale.ROOT,
              "ignored  seq %d %s [%s]",
              record.seq(),
              value == null ? record.kind() + " " + record.eventId() : summary(value),
              why));
    }
  }

  private static JsonNode authentication(byte[] value) {
    try {
      return Json.readTree(value).path("authentication");
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("a verified record is not JSON", e);
    }
  }

  /**
   * What the run watch found comparing what Tekton resolved the run from with what its decision
   * pinned: nothing for events without a resolution (Tekton had not resolved the run yet, or no
   * decision admitted it).
   */
  private static String resolution(JsonNode resolution) {
    if (!resolution.isObject()) {
      return "";
    }
    StringBuilder line =
        new StringBuilder(" resolution=").append(resolution.path("result").asText());
    if (resolution.hasNonNull("digest")) {
      line.append(" resolved=").append(resolution.path("digest").asText());
    }
    if (resolution.hasNonNull("why")) {
      line.append(" (").append(resolution.path("why").asText()).append(')');
    }
    return line.toString();
  }

  /** One line about a record, from its payload: what ran, what was decided, what triggered. */
  static String summary(byte[] value) {
    JsonNode record;
    try {
      record = Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("a verified record is not JSON", e);
    }
    JsonNode payload = record.path("payload");
    String time = record.path("time").asText();
    switch (record.path("kind").asText()) {
      case "run":
        return String.format(
                Locale.ROOT,
                "%s %s %s/%s %s admitted=%s chainsSigned=%s uid=%s",
                time,
                payload.path("kind").asText(),
                payload.path("namespace").asText(),
                payload.path("name").asText(),
                payload.path("phase").asText(),
                payload.path("admitted").asText(),
                payload.path("chainsSigned").isMissingNode()
                    ? "null"
                    : payload.path("chainsSigned").asText(),
                payload.path("runUid").asText())
            + resolution(payload.path("resolution"));
      case "decision":
        return String.format(
            Locale.ROOT,
            "%s %s %s %s",
            time,
            payload.path("decisionId").asText(),
            payload.path("outcome").asText(),
            payload.path("repository").asText());
      default:
        return String.format(
            Locale.ROOT,
            "%s %s %s",
            time,
            record.path("kind").asText(),
            record.path("eventId").asText());
    }
  }
}
