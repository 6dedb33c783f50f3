package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.Receipt;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code prove --seq N}: reads and verifies the ledger topic like {@code verify}, then prints the
 * C2SP tlog-proof receipt for entry N against the latest checkpoint that covers it (exit 0). A
 * ledger that does not verify exits 1; an entry no checkpoint covers yet, like usage and connection
 * errors, exits 2.
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
      names = "--entry-out",
      paramLabel = "FILE",
      description = "Also write the entry's stored bytes (what the receipt proves) to FILE.")
  Path entryOut;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (seq < 0) {
      return error(err, "--seq must not be negative");
    }
    LedgerPublicKey key;
    try {
      key = LedgerPublicKey.read(publicKey);
    } catch (IOException e) {
      return error(err, "cannot read public key " + publicKey);
    } catch (PublicKeyFormatException e) {
      return error(err, "not an Ed25519 public key: " + e.getMessage());
    }
    LedgerVerifier ledger =
        LedgerVerifier.trusting(List.of(key), Optional.empty(), MerkleTree.inMemory());
    byte[][] entry = new byte[1][];
    // The earliest checkpoint covering the entry serves as well as the latest, but the latest is
    // the one a relying party most likely holds already.
    try (LedgerTopicReader reader = source.open()) {
      reader.readAll(
          (offset, value) -> {
            if (ledger.verifyNext(value).seq() == seq) {
              entry[0] = value;
            }
          });
    } catch (ChainException e) {
      out.println("FAIL at seq " + e.seq() + ": " + e.describe());
      out.flush();
      return AuditorCommand.INVALID;
    } catch (LedgerTopicException e) {
      return error(err, e.getMessage());
    }
    Optional<Checkpoint> checkpoint = ledger.lastCheckpoint();
    if (entry[0] == null || checkpoint.isEmpty() || checkpoint.get().size() <= seq) {
      return error(
          err,
          "entry "
              + seq
              + " is not covered by a checkpoint yet (ledger of "
              + ledger.head().size()
              + " records, latest checkpoint "
              + checkpoint.map(c -> "of size " + c.size()).orElse("none")
              + ")");
    }
    if (entryOut != null) {
      try {
        Files.write(entryOut, entry[0]);
      } catch (IOException e) {
        return error(err, "cannot write " + entryOut + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    out.print(Receipt.forEntry(ledger.tree(), seq, checkpoint.get()).format());
    out.flush();
    return AuditorCommand.OK;
  }

  private static int error(PrintWriter err, String message) {
    err.println("ERROR: " + message);
    err.flush();
    return AuditorCommand.USAGE;
  }
}
