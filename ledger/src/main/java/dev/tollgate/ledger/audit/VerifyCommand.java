package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: reads the whole ledger topic and checks every record (canonical bytes, shape,
 * seq, prev, signature, payload digest, event id once) and every checkpoint record (note signed by
 * the record's key under the origin, size equal to its seq, root equal to the root of the Merkle
 * tree of the records before it, consistent with the previous checkpoint). Prints one line: {@code
 * OK: ...} (exit 0) or {@code FAIL at seq <n>: ...} (exit 1); usage and connection errors exit 2.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Verify every record of a ledger topic, from the first to the current end.")
public final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerTopicOptions source;

  @Option(
      names = "--public-key",
      required = true,
      paramLabel = "PEM",
      description = "Ed25519 public key in PEM that may sign records; repeat for several keys.")
  List<Path> publicKeys = new ArrayList<>();

  @Option(
      names = "--origin",
      paramLabel = "ORIGIN",
      description =
          "Checkpoint origin every checkpoint must carry (default: the first checkpoint's, which"
              + " every later one must repeat).")
  String origin;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<LedgerPublicKey> keys = new ArrayList<>();
    for (Path file : publicKeys) {
      try {
        keys.add(LedgerPublicKey.read(file));
      } catch (IOException e) {
        return error(
            err, "cannot read public key " + file + " (" + e.getClass().getSimpleName() + ")");
      } catch (PublicKeyFormatException e) {
        return error(err, "not an Ed25519 public key: " + e.getMessage());
      }
    }
    LedgerVerifier chain;
    try {
      chain = LedgerVerifier.trusting(keys, Optional.ofNullable(origin), MerkleTree.inMemory());
    } catch (IllegalArgumentException e) {
      return error(err, "--origin: " + e.getMessage());
    }
    try (LedgerTopicReader reader = source.open()) {
      reader.readAll((offset, value) -> chain.verifyNext(value));
    } catch (ChainException e) {
      out.println("FAIL at seq " + e.seq() + ": " + e.describe());
      out.flush();
      return AuditorCommand.INVALID;
    } catch (LedgerTopicException e) {
      return error(err, e.getMessage());
    }
    ChainHead head = chain.head();
    out.println(
        "OK: "
            + head.size()
            + " records verified, "
            + (head.isEmpty()
                ? "empty ledger"
                : "head seq " + head.headSeq() + " " + head.headHash())
            + chain
                .lastCheckpoint()
                .map(c -> ", " + chain.checkpointCount() + " checkpoints, latest " + describe(c))
                .orElse(""));
    out.flush();
    return AuditorCommand.OK;
  }

  private static String describe(Checkpoint checkpoint) {
    return checkpoint.origin() + " size " + checkpoint.size() + " " + checkpoint.rootDigest();
  }

  private static int error(PrintWriter err, String message) {
    err.println("ERROR: " + message);
    err.flush();
    return AuditorCommand.USAGE;
  }
}
