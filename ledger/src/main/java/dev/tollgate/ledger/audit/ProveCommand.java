package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessQuorum;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code prove --seq N}: reads and verifies the ledger topic like {@code verify}, then prints the
 * C2SP tlog-proof receipt for entry N against the latest checkpoint that covers it (exit 0), or
 * against {@code --checkpoint}: a cosigned checkpoint note of the ledger (from {@code GET
 * /ledger/v1/checkpoint} or {@code /checkpoints/<size>}), whose cosignature lines the receipt then
 * carries. With {@code --witness-key} that checkpoint must carry a quorum of cosignatures, or the
 * command fails (exit 1) saying which are missing. A ledger that does not verify exits 1; an entry
 * no checkpoint covers yet, like usage and connection errors, exits 2.
 */
@Command(
    name = "prove",
    mixinStandardHelpOptions = true,
    description = "Print an offline receipt (c2sp.org/tlog-proof) for one ledger entry.")
public final class ProveCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerTopicOptions source;

  @Option(
      names = "--public-key",
      required = true,
      paramLabel = "PEM",
      description = "The ledger's Ed25519 public key in PEM.")
  Path publicKey;

  @Option(names = "--seq", required = true, paramLabel = "N", description = "The entry's seq.")
  long seq;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "A cosigned checkpoint note of this ledger to prove against (GET /ledger/v1/checkpoint);"
              + " default: the ledger's latest checkpoint, which carries no cosignatures.")
  Path checkpointFile;

  @Mixin WitnessOptions witnesses;

  @Option(
      names = "--entry-out",
      paramLabel = "FILE",
      description = "Also write the entry's stored bytes (what the receipt proves) to FILE.")
  Path entryOut;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (seq < 0) {
      return AuditorCommand.usageError(err, "--seq must not be negative");
    }
    LedgerPublicKey key;
    WitnessQuorum quorum;
    String cosigned = null;
    try {
      key = LedgerPublicKey.read(publicKey);
      quorum = witnesses.quorum();
      if (checkpointFile != null) {
        cosigned = Files.readString(checkpointFile, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      return AuditorCommand.usageError(err, "cannot read " + e.getMessage());
    } catch (PublicKeyFormatException e) {
      return AuditorCommand.usageError(err, "not an Ed25519 public key: " + e.getMessage());
    } catch (AuditSource.SourceException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    }
    LedgerVerifier ledger =
        LedgerVerifier.trusting(List.of(key), Optional.empty(), MerkleTree.inMemory());
    byte[][] entry = new byte[1][];
    Map<Long, Checkpoint> checkpoints = new HashMap<>();
    // The earliest checkpoint covering the entry serves as well as the latest, but the latest is
    // the one a relying party most likely holds already.
    try (LedgerTopicReader reader = source.open()) {
      reader.readAll(
          (offset, value) -> {
            ChainEntry verified = ledger.verifyNext(value);
            if (verified.seq() == seq) {
              entry[0] = value;
            }
            if (verified.kind() == LedgerRecord.Kind.CHECKPOINT && checkpointFile != null) {
              Checkpoint checkpoint = ledger.lastCheckpoint().orElseThrow();
              checkpoints.put(checkpoint.size(), checkpoint);
            }
          });
    } catch (ChainException e) {
      out.println("FAIL at seq " + e.seq() + ": " + e.describe());
      out.flush();
      return AuditorCommand.INVALID;
    } catch (LedgerTopicException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    }
    Optional<Checkpoint> checkpoint = ledger.lastCheckpoint();
    if (cosigned != null) {
      try {
        checkpoint = Optional.of(chainCheckpoint(cosigned, checkpoints));
      } catch (CheckpointException e) {
        out.println("FAIL at " + checkpointFile + ": " + e.describe());
        out.flush();
        return AuditorCommand.INVALID;
      }
    }
    if (entry[0] == null || checkpoint.isEmpty() || checkpoint.get().size() <= seq) {
      return AuditorCommand.usageError(
          err,
          "entry "
              + seq
              + " is not covered by a checkpoint yet (ledger of "
              + ledger.head().size()
              + " records, latest checkpoint "
              + checkpoint.map(c -> "of size " + c.size()).orElse("none")
              + ")");
    }
    if (quorum.required() > 0) {
      try {
        quorum.verify(checkpoint.get().note());
      } catch (WitnessException | CheckpointException e) {
        String what =
            checkpointFile == null ? "the ledger's latest checkpoint" : checkpointFile.toString();
        out.println(
            WitnessOptions.failure(what, e, false)
                + (checkpointFile == null
                    ? " (the ledger's records hold no cosignatures: give --checkpoint with the cosigned"
                        + " checkpoint from GET /ledger/v1/checkpoint)"
                    : ""));
        out.flush();
        return AuditorCommand.INVALID;
      }
    }
    if (entryOut != null) {
      try {
        Files.write(entryOut, entry[0]);
      } catch (IOException e) {
        return AuditorCommand.usageError(
            err, "cannot write " + entryOut + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    out.print(Receipt.forEntry(ledger.tree(), seq, checkpoint.get()).format());
    out.flush();
    return AuditorCommand.OK;
  }

  /**
   * The chain's checkpoint a cosigned note is of, carrying the note's cosignature lines after the
   * chain's own signature.
   */
  private Checkpoint chainCheckpoint(String cosigned, Map<Long, Checkpoint> checkpoints)
      throws CheckpointException {
    SignedNote note = SignedNote.parse(cosigned);
    String[] lines = note.text().split("\n", 3);
    Checkpoint chain = null;
    if (lines.length == 3 && lines[1].matches("0|[1-9][0-9]{0,18}")) {
      chain = checkpoints.get(Long.parseLong(lines[1]));
    }
    if (chain == null || !chain.note().startsWith(note.text() + "\n")) {
      throw new CheckpointException(
          CheckpointException.Reason.INCONSISTENT,
          "it is not a checkpoint of this ledger (no checkpoint record of its size and root)");
    }
    SignedNote own = SignedNote.parse(chain.note());
    List<SignedNote.Signature> signatures = new ArrayList<>(own.signatures());
    Set<String> present = new HashSet<>();
    own.signatures().forEach(l -> present.add(l.line()));
    note.signatures().stream().filter(l -> present.add(l.line())).forEach(signatures::add);
    return new Checkpoint(
        chain.origin(),
        chain.size(),
        chain.rootHash(),
        new SignedNote(own.text(), signatures).format());
  }
}
