package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.checkpoint.SourceGap;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.SourceGapProbe;
import dev.tollgate.ledger.witness.Cosignature;
import dev.tollgate.ledger.witness.CosignatureStore;
import dev.tollgate.ledger.witness.WitnessClient;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.ledger.witness.WitnessQuorum;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: reads the whole ledger, from its topic or from an {@code export} directory, and
 * checks every record (canonical bytes, shape, seq, prev, signature, payload digest, event id once,
 * key rotations) and every checkpoint record (note signed by the record's key under the origin,
 * size equal to its seq, root equal to the root of the Merkle tree of the records before it,
 * consistent with the previous checkpoint). Signatures are checked on several threads. For an
 * export it also checks the manifest (size, head, root) and every checkpoint file against the
 * chain, and that every note of its {@code cosignatures/} is the chain's checkpoint of that size (a
 * witness that cosigned another tree is a fork); with {@code --checkpoint} it checks the ledger
 * still holds a checkpoint seen before (so a ledger cut short is caught), and with {@code
 * --witness-key} that this checkpoint (or, for an export without {@code --checkpoint}, the largest
 * of its cosigned checkpoints) carries a quorum of witness cosignatures. An export is trusted only
 * from outside: {@code --public-key}, or witness keys whose quorum cosigned a checkpoint the
 * exported chain reproduces. Prints {@code OK: ...} (exit 0) or {@code FAIL at seq <n>: ...} (exit
 * 1), or with {@code --json} one JSON object; progress goes to stderr. Usage and connection errors
 * exit 2. Values on the topic that are not the ledger's records (not canonical JSON, not signed by
 * a ledger key in force, or copies of earlier records: see {@link Injected}) are skipped and listed
 * after that line, {@code INJECTED at offset <n>: <REASON>: ...} (in JSON: {@code injected}); the
 * chain is verified across them. Then the source-offset accounting ({@link Completeness}): the
 * ranges each checkpoint states must account for every offset; offsets nothing explains are printed
 * as {@code GAP} lines and fail the verification ({@code INCOMPLETE}, exit 1) unless {@code
 * --check-sources} finds no data record there.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Verify every record of a ledger topic or export, from the first to the end.")
public final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerTopicOptions source;

  @Option(
      names = "--from-export",
      paramLabel = "DIR",
      description = "Verify the directory `export` wrote instead of the topic (offline).")
  Path fromExport;

  @Option(
      names = "--public-key",
      paramLabel = "PEM",
      description =
          "Ed25519 public key in PEM trusted for the first record; repeat for several. Required,"
              + " unless an export is anchored by --checkpoint with --witness-key instead.")
  List<Path> publicKeys = new ArrayList<>();

  @Option(
      names = "--origin",
      paramLabel = "ORIGIN",
      description =
          "Checkpoint origin every checkpoint must carry (default: the first checkpoint's, which"
              + " every later one must repeat).")
  String origin;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "A signed checkpoint note seen before (from a receipt or an earlier export): the ledger"
              + " must still hold a tree of that size with that root. With --witness-key it must"
              + " carry their cosignatures (GET /ledger/v1/checkpoint serves it with them). An"
              + " export's own cosignatures/ serve when it is not given.")
  Path checkpointFile;

  @Mixin WitnessOptions witnesses;

  @Option(
      names = "--witness-url",
      paramLabel = "URL",
      description =
          "The submission prefix of the --witness-key witness in the same position: verify asks"
              + " it for the latest checkpoint it cosigned of this ledger (tlog-witness monitor"
              + " retrieval), which the ledger must still reproduce, so a ledger truncated or"
              + " forked since that witness saw it fails. Repeat for several.")
  List<URI> witnessUrls = new ArrayList<>();

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Threads that check signatures (default: the number of processors).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--check-sources",
      description =
          "Read the offsets no record explains from the source topics (same broker and"
              + " --command-config; the user must be allowed to read them) to tell transaction"
              + " markers from events the ledger skipped.")
  boolean checkSources;

  @Option(
      names = "--max-gaps",
      defaultValue = "20",
      paramLabel = "N",
      description = "Unexplained source offset ranges printed at most (default: ${DEFAULT-VALUE}).")
  int maxGaps;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  /** Where the checkpoint trusted from outside came from, for messages. */
  private String seenName;

  /** The checkpoint trusted from outside, as a note. */
  private String seenNote;

  /** The cosignatures that checkpoint carries, when witnesses are required. */
  private List<Cosignature> witnessed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<LedgerPublicKey> keys;
    JsonNode manifest = null;
    String seen = null;
    WitnessQuorum quorum;
    try {
      if (fromExport != null) {
        manifest = AuditSource.manifest(fromExport);
      }
      quorum = witnesses.quorum();
      if (quorum.required() > 0 && checkpointFile == null && fromExport == null) {
        return error(
            err,
            "--witness-key checks the cosignatures of a checkpoint: give --checkpoint with a"
                + " cosigned checkpoint (GET /ledger/v1/checkpoint), or verify an export that"
                + " holds cosignatures/");
      }
      if (checkpointFile != null) {
        seen = Files.readString(checkpointFile, StandardCharsets.UTF_8);
        seenName = checkpointFile.toString();
      }
    } catch (AuditSource.SourceException e) {
      return error(err, e.getMessage());
    } catch (IOException e) {
      return error(err, "cannot read " + checkpointFile);
    }
    if (quorum.required() > 0) {
      try {
        if (seen == null) {
          seenName = exportAnchor(quorum);
          seen = Files.readString(fromExport.resolve(seenName), StandardCharsets.UTF_8);
        }
        witnessed = quorum.verify(seen);
        seenNote = seen;
      } catch (WitnessException | CheckpointException e) {
        print(
            out,
            WitnessOptions.failure(
                (json ? "" : "checkpoint ")
                    + (seenName == null ? "export " + fromExport : seenName),
                e,
                json));
        return AuditorCommand.INVALID;
      } catch (IOException e) {
        return error(err, "cannot read the cosignatures of " + fromExport + ": " + e.getMessage());
      }
    }
    Map<String, String> latestOfWitnesses = new LinkedHashMap<>();
    if (!witnessUrls.isEmpty()) {
      try {
        latestOfWitnesses.putAll(askWitnesses(quorum, seen));
      } catch (AuditSource.SourceException e) {
        return error(err, e.getMessage());
      } catch (WitnessException e) {
        if (e.reason() == WitnessException.Reason.UNAVAILABLE) {
          return error(err, e.getMessage());
        }
        print(out, WitnessOptions.failure("--witness-url", e, json));
        return AuditorCommand.INVALID;
      }
    }
    try {
      keys = AuditSource.trustedKeys(publicKeys, fromExport, seen != null && quorum.required() > 0);
    } catch (AuditSource.SourceException e) {
      return error(err, e.getMessage());
    }
    LedgerVerifier ledger;
    try {
      ledger = LedgerVerifier.trusting(keys, Optional.ofNullable(origin), MerkleTree.inMemory());
    } catch (IllegalArgumentException e) {
      return error(err, "--origin: " + e.getMessage());
    }
    Map<Long, String> notes = new HashMap<>();
    InjectedValues injected = new InjectedValues();
    ParallelVerifier.Listener listener =
        new ParallelVerifier.Listener() {
          @Override
          public void verified(ChainEntry entry, byte[] value) {
            if (entry.kind() == LedgerRecord.Kind.CHECKPOINT) {
              Checkpoint checkpoint = ledger.lastCheckpoint().orElseThrow();
              notes.put(checkpoint.size(), checkpoint.note());
            }
          }

          @Override
          public void injected(long offset, Injected value) {
            injected.add(offset, value);
          }
        };
    try (ParallelVerifier verifier =
        new ParallelVerifier(ledger, threads, quiet ? null : err, listener)) {
      AuditSource.read(source, fromExport, verifier::accept);
      verifier.finish();
      verifier.report(true);
      if (manifest != null) {
        checkManifest(ledger, manifest, notes);
        checkCosigned(notes);
      }
      if (seen != null) {
        checkSeen(ledger, seen, keys);
      }
      if (checkpointFile == null && witnessed != null) {
        checkLatestWitnessed(ledger);
      }
      for (Map.Entry<String, String> latest : latestOfWitnesses.entrySet()) {
        seenName = "the latest checkpoint witness " + latest.getKey() + " cosigned";
        checkSeen(ledger, latest.getValue(), keys);
      }
    } catch (ChainException e) {
      print(out, failure(e, injected));
      if (!json) {
        injected.print(out);
      }
      return AuditorCommand.INVALID;
    } catch (AuditSource.SourceException e) {
      return error(err, e.getMessage());
    } catch (IOException e) {
      return error(err, "cannot read " + fromExport + ": " + e.getMessage());
    }
    ChainHead head = ledger.head();
    Completeness completeness;
    try {
      completeness = completeness(ledger.sources());
    } catch (LedgerTopicException e) {
      return error(err, "--check-sources: " + e.getMessage());
    }
    if (json) {
      ObjectNode result = Json.mapper().createObjectNode();
      result.put("ok", completeness.complete());
      result.set("sources", completeness.json());
      result.put("size", head.size());
      if (!head.isEmpty()) {
        result.put("headSeq", head.headSeq());
        result.put("headHash", head.headHash());
        result.put("rootHash", Checkpoint.digestOf(ledger.tree().rootHash(head.size())));
      }
      result.put("checkpoints", ledger.checkpointCount());
      ledger.lastCheckpoint().ifPresent(c -> result.set("latestCheckpoint", c.toPayload()));
      if (witnessed != null) {
        result.put("witnessedSize", witnessedSize(seen));
        witnessed.forEach(c -> result.withArray("witnesses").add(c.name()));
      }
      if (!injected.isEmpty()) {
        result.set("injected", injected.toJson());
      }
      print(out, new String(CanonicalJson.bytes(result), StandardCharsets.UTF_8));
      return completeness.complete() ? AuditorCommand.OK : AuditorCommand.INVALID;
    }
    print(
        out,
        "OK: "
            + head.size()
            + " records verified, "
            + (head.isEmpty()
                ? "empty ledger"
                : "head seq " + head.headSeq() + " " + head.headHash())
            + ledger
                .lastCheckpoint()
                .map(c -> ", " + ledger.checkpointCount() + " checkpoints, latest " + describe(c))
                .orElse("")
            + (witnessed == null
                ? ""
                : ", witnessed up to size "
                    + witnessedSize(seen)
                    + " by "
                    + WitnessOptions.names(witnessed))
            + injected.summary());
    injected.print(out);
    completeness.lines().forEach(line -> print(out, line));
    return completeness.complete() ? AuditorCommand.OK : AuditorCommand.INVALID;
  }

  /**
   * What the ledger proves about its source offsets: the accounted ranges, and each gap with what
   * the source topic holds there when {@code --check-sources} lets the auditor look.
   */
  private Completeness completeness(SourceAccounting sources) throws LedgerTopicException {
    List<SourceGapProbe.Finding> findings = new ArrayList<>();
    if (checkSources && !sources.gaps().isEmpty()) {
      try (SourceGapProbe probe = new SourceGapProbe(source.connection(), source.timeout)) {
        for (SourceGap gap : sources.gaps()) {
          findings.add(probe.probe(gap));
        }
      }
    }
    return new Completeness(sources, checkSources, findings, maxGaps);
  }

  /**
   * The largest checkpoint of the export's {@code cosignatures/} that carries the quorum, as its
   * path relative to the export. A cosignature line by a configured witness that does not verify
   * fails the export whatever else verifies; none with a quorum fails it naming the best one found.
   */
  private String exportAnchor(WitnessQuorum quorum)
      throws IOException, WitnessException, CheckpointException {
    List<Long> sizes = ExportDirectory.cosignedSizes(fromExport);
    WitnessException best = null;
    String found = null;
    for (long size : sizes) {
      String name = ExportDirectory.COSIGNATURES + "/" + size + CosignatureStore.SUFFIX;
      String note = Files.readString(fromExport.resolve(name), StandardCharsets.UTF_8);
      try {
        quorum.verify(note);
        found = name;
      } catch (WitnessException e) {
        if (e.reason() != WitnessException.Reason.QUORUM_NOT_MET) {
          throw new WitnessException(e.reason(), name + ": " + e.getMessage());
        }
        best = e;
      }
    }
    if (found != null) {
      return found;
    }
    throw new WitnessException(
        WitnessException.Reason.QUORUM_NOT_MET,
        sizes.isEmpty()
            ? "the export holds no cosigned checkpoint (cosignatures/) and no --checkpoint was"
                + " given: nothing shows the witnesses saw this ledger"
            : "no checkpoint in the export's cosignatures/ carries the quorum (the latest: "
                + best.getMessage()
                + "); the witnesses did not cosign this ledger, or it was rolled back or forked"
                + " since they did");
  }

  /**
   * Asks each {@code --witness-url} for the latest checkpoint it cosigned of this ledger's origin
   * ({@code --origin}, else the one of the kept or exported checkpoints), verified to carry that
   * witness's cosignature. Keyed by the witness's name.
   */
  private Map<String, String> askWitnesses(WitnessQuorum quorum, String seen)
      throws AuditSource.SourceException, WitnessException {
    List<WitnessKey> keys = quorum.witnesses();
    if (witnessUrls.size() > keys.size()) {
      throw new AuditSource.SourceException(
          "each --witness-url needs the --witness-key of that witness, in the same position");
    }
    String ledgerOrigin = origin;
    try {
      if (ledgerOrigin == null && seen != null) {
        ledgerOrigin = seen.substring(0, seen.indexOf('\n'));
      }
      if (ledgerOrigin == null && fromExport != null) {
        for (Path file : ExportDirectory.checkpointFiles(fromExport)) {
          String note = Files.readString(file, StandardCharsets.UTF_8);
          ledgerOrigin = note.substring(0, Math.max(0, note.indexOf('\n')));
          break;
        }
      }
    } catch (IOException e) {
      throw new AuditSource.SourceException("cannot read the checkpoints of " + fromExport);
    }
    if (ledgerOrigin == null || ledgerOrigin.isEmpty()) {
      throw new AuditSource.SourceException("--witness-url needs --origin");
    }
    Map<String, String> latest = new LinkedHashMap<>();
    for (int i = 0; i < witnessUrls.size(); i++) {
      WitnessKey key = keys.get(i);
      Optional<String> note =
          new WitnessClient(witnessUrls.get(i), key, Duration.ofSeconds(30)).latest(ledgerOrigin);
      if (note.isEmpty()) {
        throw new WitnessException(
            WitnessException.Reason.QUORUM_NOT_MET,
            "witness " + key.name() + " has cosigned no checkpoint of " + ledgerOrigin);
      }
      latest.put(key.name(), note.get());
    }
    return latest;
  }

  /** Every cosigned note of the export is the chain's checkpoint of its size, word for word. */
  private void checkCosigned(Map<Long, String> notes) throws ChainException, IOException {
    for (long size : ExportDirectory.cosignedSizes(fromExport)) {
      String name = ExportDirectory.COSIGNATURES + "/" + size + CosignatureStore.SUFFIX;
      String chainNote = notes.get(size);
      String text;
      try {
        text =
            SignedNote.parse(Files.readString(fromExport.resolve(name), StandardCharsets.UTF_8))
                .text();
      } catch (CheckpointException e) {
        throw new ChainException(
            size, ChainException.Reason.CHECKPOINT_INVALID, name + ": " + e.getMessage());
      }
      if (chainNote == null || !chainNote.startsWith(text + "\n")) {
        throw new ChainException(
            size,
            ChainException.Reason.CHECKPOINT_INVALID,
            name
                + " is not the chain's checkpoint of size "
                + size
                + ": what was cosigned is another tree (a fork) or no checkpoint of this ledger");
      }
    }
  }

  /**
   * An export verified against its own cosignatures must be witnessed to its latest checkpoint: a
   * checkpoint the witnesses did not cosign is one they refused (a rolled-back or forked ledger) or
   * have not seen yet (export again once they have).
   */
  private void checkLatestWitnessed(LedgerVerifier ledger) throws ChainException {
    long witnessedSize = witnessedSize(seenNote);
    Checkpoint latest = ledger.lastCheckpoint().orElseThrow();
    if (latest.size() > witnessedSize) {
      throw new ChainException(
          latest.size(),
          ChainException.Reason.CHECKPOINT_INVALID,
          "QUORUM_NOT_MET: the latest checkpoint (size "
              + latest.size()
              + ") does not carry the witnesses' quorum, only the one of size "
              + witnessedSize
              + " does: the witnesses refused it (the ledger was rolled back or forked since"
              + " they cosigned) or had not cosigned it yet when the export was taken");
    }
  }

  private static long witnessedSize(String note) {
    return Long.parseLong(note.split("\n", 3)[1]);
  }

  private String failure(ChainException e, InjectedValues injected) {
    if (!json) {
      return "FAIL at seq " + e.seq() + ": " + e.describe();
    }
    ObjectNode result = Json.mapper().createObjectNode();
    result.put("ok", false);
    result.put("seq", e.seq());
    result.put("reason", e.reason().name());
    result.put("message", e.getMessage());
    if (!injected.isEmpty()) {
      result.set("injected", injected.toJson());
    }
    return new String(CanonicalJson.bytes(result), StandardCharsets.UTF_8);
  }

  /** The export holds what its manifest says, and every checkpoint file is the chain's. */
  private void checkManifest(LedgerVerifier ledger, JsonNode manifest, Map<Long, String> notes)
      throws ChainException, IOException {
    long size = ledger.head().size();
    long stated = manifest.path("size").asLong(-1);
    if (stated > size) {
      throw new ChainException(
          size,
          ChainException.Reason.TRUNCATED,
          "the export's manifest states " + stated + " records, but only " + size + " are there");
    }
    if (stated != size
        || (size > 0
            && (!manifest.path("headHash").asText().equals(ledger.head().headHash())
                || !manifest
                    .path("rootHash")
                    .asText()
                    .equals(Checkpoint.digestOf(ledger.tree().rootHash(size)))))) {
      throw new ChainException(
          Math.min(stated, size),
          ChainException.Reason.PREV_MISMATCH,
          "the records differ from the export's manifest (size "
              + stated
              + ", head "
              + manifest.path("headHash").asText()
              + ")");
    }
    Map<Long, String> files = new HashMap<>();
    for (Path file : ExportDirectory.checkpointFiles(fromExport)) {
      String name = file.getFileName().toString();
      long fileSize;
      try {
        fileSize = Long.parseLong(name.substring(0, name.length() - ".checkpoint".length()));
      } catch (NumberFormatException e) {
        throw new ChainException(
            size, ChainException.Reason.CHECKPOINT_INVALID, "unexpected checkpoint file " + name);
      }
      files.put(fileSize, Files.readString(file, StandardCharsets.UTF_8));
    }
    for (long checkpointSize : new java.util.TreeSet<>(notes.keySet())) {
      if (!notes.get(checkpointSize).equals(files.get(checkpointSize))) {
        throw new ChainException(
            checkpointSize,
            ChainException.Reason.CHECKPOINT_INVALID,
            "checkpoints/"
                + checkpointSize
                + ".checkpoint is missing or not the chain's checkpoint");
      }
    }
    for (long fileSize : files.keySet()) {
      if (!notes.containsKey(fileSize)) {
        throw new ChainException(
            Math.min(fileSize, size),
            fileSize > size
                ? ChainException.Reason.TRUNCATED
                : ChainException.Reason.CHECKPOINT_INVALID,
            "checkpoints/" + fileSize + ".checkpoint has no checkpoint record in the chain");
      }
    }
  }

  /** The ledger still holds the tree a checkpoint seen before describes. */
  private void checkSeen(LedgerVerifier ledger, String note, List<LedgerPublicKey> keys)
      throws ChainException {
    Checkpoint seen = null;
    String noteOrigin = note.split("\n", 2)[0];
    List<LedgerPublicKey> candidates = new ArrayList<>(keys);
    candidates.addAll(ledger.keysInForce());
    for (LedgerPublicKey key : candidates) {
      try {
        seen = Checkpoint.open(note, NoteKey.of(noteOrigin, key));
        break;
      } catch (CheckpointException | IllegalArgumentException e) {
        // Try the next key: the note names its key by a hash, not by our key id.
      }
    }
    if (seen == null) {
      // The kept checkpoint is the auditor's own evidence: a ledger none of whose keys signed it
      // is not the ledger that checkpoint was taken of (a forged export brings keys of its own).
      throw new ChainException(
          ledger.head().size(),
          ChainException.Reason.CHECKPOINT_BAD_SIGNATURE,
          seenName + " is not a checkpoint signed by a key of this ledger");
    }
    long size = ledger.head().size();
    if (seen.size() > size) {
      throw new ChainException(
          size,
          ChainException.Reason.TRUNCATED,
          "the ledger ends at "
              + size
              + " records, but a checkpoint of "
              + seen.size()
              + " records was seen before: records were cut off its tail");
    }
    if (!Arrays.equals(ledger.tree().rootHash(seen.size()), seen.rootHash())) {
      throw new ChainException(
          seen.size(),
          ChainException.Reason.CHECKPOINT_ROOT_MISMATCH,
          "the first "
              + seen.size()
              + " records no longer hash to the root "
              + seen.rootDigest()
              + " of the checkpoint seen before");
    }
  }

  private static String describe(Checkpoint checkpoint) {
    return checkpoint.origin() + " size " + checkpoint.size() + " " + checkpoint.rootDigest();
  }

  private static void print(PrintWriter out, String line) {
    out.println(line);
    out.flush();
  }

  private static int error(PrintWriter err, String message) {
    err.println("ERROR: " + message);
    err.flush();
    return AuditorCommand.USAGE;
  }
}
