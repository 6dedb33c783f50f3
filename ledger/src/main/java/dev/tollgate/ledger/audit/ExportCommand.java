package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code export <dir>}: copies the ledger topic into a self-contained directory ({@link
 * ExportDirectory}) that {@code verify --from-export} checks offline, verifying every record on the
 * way. A ledger that does not verify is not exported: the command prints {@code FAIL at seq ...},
 * exits 1 and writes no manifest.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Copy a verified ledger into a directory that verifies offline.")
public final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin LedgerTopicOptions source;

  @Parameters(index = "0", paramLabel = "DIR", description = "New or empty directory to write.")
  Path directory;

  @Option(
      names = "--public-key",
      required = true,
      paramLabel = "PEM",
      description = "Ed25519 public key in PEM trusted for the first record; repeat for several.")
  List<Path> publicKeys = new ArrayList<>();

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Threads that check signatures (default: the number of processors).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<LedgerPublicKey> keys;
    try {
      keys = AuditSource.trustedKeys(publicKeys, null, false);
      Files.createDirectories(directory);
      try (var existing = Files.list(directory)) {
        if (existing.findAny().isPresent()) {
          return error(err, directory + " is not empty");
        }
      }
    } catch (AuditSource.SourceException e) {
      return error(err, e.getMessage());
    } catch (IOException e) {
      return error(err, "cannot create " + directory + " (" + e.getClass().getSimpleName() + ")");
    }
    LedgerVerifier ledger = LedgerVerifier.trusting(keys, Optional.empty(), MerkleTree.inMemory());
    List<LedgerPublicKey> announced = new ArrayList<>();
    InjectedValues injected = new InjectedValues();
    try (OutputStream records =
            new BufferedOutputStream(
                Files.newOutputStream(directory.resolve(ExportDirectory.RECORDS)), 1 << 16);
        ParallelVerifier verifier =
            new ParallelVerifier(
                ledger,
                threads,
                quiet ? null : err,
                new ParallelVerifier.Listener() {
                  @Override
                  public void verified(ChainEntry entry, byte[] value) throws IOException {
                    ExportDirectory.writeRecord(records, value);
                    if (entry.kind() == LedgerRecord.Kind.CHECKPOINT) {
                      ExportDirectory.writeCheckpoint(
                          directory, ledger.lastCheckpoint().orElseThrow());
                    } else if (entry.kind() == LedgerRecord.Kind.KEY_ROTATION) {
                      announced.addAll(ledger.keysInForce());
                    }
                  }

                  @Override
                  public void injected(long offset, Injected value) {
                    // The export holds the ledger's own chain only; what was skipped is listed.
                    injected.add(offset, value);
                  }
                })) {
      AuditSource.read(source, null, verifier::accept);
      verifier.finish();
      verifier.report(true);
    } catch (ChainException e) {
      out.println("FAIL at seq " + e.seq() + ": " + e.describe());
      out.flush();
      return AuditorCommand.INVALID;
    } catch (AuditSource.SourceException e) {
      return error(err, e.getMessage());
    } catch (IOException e) {
      return error(err, "cannot write " + directory + ": " + e.getMessage());
    }
    ChainHead head = ledger.head();
    ObjectNode manifest = Json.mapper().createObjectNode();
    manifest.put("format", ExportDirectory.FORMAT);
    manifest.put("topic", source.topic);
    manifest.put("size", head.size());
    if (!head.isEmpty()) {
      manifest.put("headHash", head.headHash());
      manifest.put("rootHash", Checkpoint.digestOf(ledger.tree().rootHash(head.size())));
    }
    ArrayNode genesis = manifest.putArray("genesisKeyIds");
    try {
      for (LedgerPublicKey key : keys) {
        genesis.add(key.keyId());
        ExportDirectory.writeKey(directory, key);
      }
      for (LedgerPublicKey key : announced) {
        ExportDirectory.writeKey(directory, key);
      }
      ExportDirectory.writeManifest(directory, manifest);
    } catch (IOException e) {
      return error(err, "cannot write " + directory + ": " + e.getMessage());
    }
    out.println(
        "OK: "
            + head.size()
            + " records exported to "
            + directory
            + (head.isEmpty() ? "" : ", head seq " + head.headSeq() + " " + head.headHash())
            + injected.summary());
    injected.print(out);
    out.flush();
    return AuditorCommand.OK;
  }

  private static int error(PrintWriter err, String message) {
    err.println("ERROR: " + message);
    err.flush();
    return AuditorCommand.USAGE;
  }
}
