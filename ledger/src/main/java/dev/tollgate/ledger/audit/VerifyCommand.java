package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.checkpoint.SourceGap;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.SourceGapProbe;
import dev.tollgate.ledger.witness.Cosignature;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessQuorum;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
      description = "Threads that check records (default: the number of processors).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--every-signature",
      description =
          "Verify the Ed25519 signature of every record, also of those a checkpoint covers (by"
              + " default a checkpoint whose signature verifies authenticates the records before"
              + " it, and only the signatures of the records after the newest checkpoint and of"
              + " key rotations are verified one by one: ledger format, section 13). Slower.")
  boolean everySignature;

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
        return AuditorCommand.usageError(
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
      return AuditorCommand.usageError(err, e.getMessage());
    } catch (IOException e) {
      return AuditorCommand.usageError(err, "cannot read " + checkpointFile);
    }
    if (quorum.required() > 0) {
      try {
        if (seen == null) {
          seenName = WitnessAnchors.exportAnchor(fromExport, quorum);
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
        return AuditorCommand.usageError(
            err, "cannot read the cosignatures of " + fromExport + ": " + e.getMessage());
      }
    }
    Map<String, String> latestOfWitnesses = new LinkedHashMap<>();
    if (!witnessUrls.isEmpty()) {
      try {
        latestOfWitnesses.putAll(
            WitnessAnchors.askWitnesses(witnessUrls, quorum, origin, seen, fromExport));
      } catch (AuditSource.SourceException e) {
        return AuditorCommand.usageError(err, e.getMessage());
      } catch (WitnessException e) {
        if (e.reason() == WitnessException.Reason.UNAVAILABLE) {
          return AuditorCommand.usageError(err, e.getMessage());
        }
        print(out, WitnessOptions.failure("--witness-url", e, json));
        return AuditorCommand.INVALID;
      }
    }
    try {
      keys = AuditSource.trustedKeys(publicKeys, fromExport, seen != null && quorum.required() > 0);
    } catch (AuditSource.SourceException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    }
    Pass pass;
    try {
      pass =
          new Pass(keys, everySignature ? SignatureMode.EVERY_RECORD : SignatureMode.CHECKPOINTS);
    } catch (IllegalArgumentException e) {
      return AuditorCommand.usageError(err, "--origin: " + e.getMessage());
    }
    ChainException fellBackFrom = null;
    try {
      pass.run(err);
      if (pass.abandoned.isPresent()) {
        // The checkpoint pass accepts only a ledger without anomalies; the pass that verifies
        // every signature tells injected values from breaks and names the failure exactly.
        fellBackFrom = pass.abandoned.get();
        if (!quiet) {
          err.println(
              "the checkpoint pass stopped at seq "
                  + fellBackFrom.seq()
                  + " ("
                  + fellBackFrom.reason()
                  + "): verifying again with every signature");
          err.flush();
        }
        pass = new Pass(keys, SignatureMode.EVERY_RECORD);
        pass.run(err);
      }
      LedgerVerifier ledger = pass.ledger;
      Map<Long, String> notes = pass.notes;
      if (manifest != null) {
        ExportChecks.checkManifest(fromExport, ledger, manifest, notes);
        ExportChecks.checkCosigned(fromExport, notes);
      }
      if (seen != null) {
        SeenCheckpoints.checkSeen(ledger, seen, seenName, keys);
      }
      if (checkpointFile == null && witnessed != null) {
        SeenCheckpoints.checkLatestWitnessed(ledger, seenNote);
      }
      for (Map.Entry<String, String> latest : latestOfWitnesses.entrySet()) {
        seenName = "the latest checkpoint witness " + latest.getKey() + " cosigned";
        SeenCheckpoints.checkSeen(ledger, latest.getValue(), seenName, keys);
      }
    } catch (ChainException e) {
      print(out, VerifyReport.failure(e, pass.injected, json));
      if (!json) {
        pass.injected.print(out);
      }
      return AuditorCommand.INVALID;
    } catch (AuditSource.SourceException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    } catch (IOException e) {
      return AuditorCommand.usageError(err, "cannot read " + fromExport + ": " + e.getMessage());
    }
    LedgerVerifier ledger = pass.ledger;
    Completeness completeness;
    try {
      completeness = completeness(ledger.sources());
    } catch (LedgerTopicException e) {
      return AuditorCommand.usageError(err, "--check-sources: " + e.getMessage());
    }
    VerifyReport.Signatures signatures =
        new VerifyReport.Signatures(pass.mode, pass.signaturesVerified, fellBackFrom);
    if (json) {
      print(
          out,
          VerifyReport.verifiedJson(
              ledger, completeness, witnessed, seen, pass.injected, signatures));
      return completeness.complete() ? AuditorCommand.OK : AuditorCommand.INVALID;
    }
    print(out, VerifyReport.verifiedLine(ledger, witnessed, seen, pass.injected, signatures));
    pass.injected.print(out);
    completeness.lines().forEach(line -> print(out, line));
    return completeness.complete() ? AuditorCommand.OK : AuditorCommand.INVALID;
  }

  /** One reading of the whole ledger in one signature mode. */
  private final class Pass {
    final SignatureMode mode;
    final LedgerVerifier ledger;
    final Map<Long, String> notes = new HashMap<>();
    final InjectedValues injected = new InjectedValues();
    long signaturesVerified;
    Optional<ChainException> abandoned = Optional.empty();

    /**
     * @throws IllegalArgumentException when {@code --origin} is not a valid origin
     */
    Pass(List<LedgerPublicKey> keys, SignatureMode mode) {
      this.mode = mode;
      this.ledger =
          LedgerVerifier.trusting(keys, Optional.ofNullable(origin), MerkleTree.inMemory());
    }

    void run(PrintWriter err) throws AuditSource.SourceException, ChainException, IOException {
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
          new ParallelVerifier(ledger, threads, mode, quiet ? null : err, listener)) {
        AuditSource.read(source, fromExport, verifier::accept);
        verifier.finish();
        abandoned = verifier.abandoned();
        signaturesVerified = verifier.signaturesVerified();
        if (abandoned.isEmpty()) {
          verifier.report(true);
        }
      }
    }
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

  private static void print(PrintWriter out, String line) {
    out.println(line);
    out.flush();
  }
}
