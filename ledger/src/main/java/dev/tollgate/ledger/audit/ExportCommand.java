package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.witness.CosignatureStore;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessQuorum;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code export <dir>}: copies the ledger topic into a self-contained directory ({@link
 * ExportDirectory}) that {@code verify --from-export} checks offline, verifying every record on the
 * way. A ledger that does not verify is not exported: the command prints {@code FAIL at seq ...},
 * exits 1 and writes no manifest. With {@code --cosignatures DIR} (the ledger's {@code
 * <data-dir>/cosignatures}, or notes fetched from {@code GET /ledger/v1/checkpoints/<size>}) each
 * cosigned note that is a checkpoint of the exported chain is copied to the export's {@code
 * cosignatures/}; one of a size the chain holds but of another tree fails the export (the witnesses
 * saw a fork). With {@code --witness-key} the cosignatures are checked and a quorum is required.
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
      names = "--cosignatures",
      paramLabel = "DIR",
      description =
          "Directory of cosigned checkpoint notes <size>.checkpoint (the ledger's"
              + " <data-dir>/cosignatures) to include for the exported checkpoints.")
  Path cosignatures;

  @Mixin WitnessOptions witnesses;

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
    WitnessQuorum quorum;
    try {
      quorum = witnesses.quorum();
      if (quorum.required() > 0 && cosignatures == null) {
        return AuditorCommand.usageError(
            err, "--witness-key checks the cosignatures given with --cosignatures DIR");
      }
      if (cosignatures != null && !Files.isDirectory(cosignatures)) {
        return AuditorCommand.usageError(
            err, "--cosignatures: " + cosignatures + " is not a directory");
      }
      keys = AuditSource.trustedKeys(publicKeys, null, false);
      Files.createDirectories(directory);
      try (var existing = Files.list(directory)) {
        if (existing.findAny().isPresent()) {
          return AuditorCommand.usageError(err, directory + " is not empty");
        }
      }
    } catch (AuditSource.SourceException e) {
      return AuditorCommand.usageError(err, e.getMessage());
    } catch (IOException e) {
      return AuditorCommand.usageError(
          err, "cannot create " + directory + " (" + e.getClass().getSimpleName() + ")");
    }
    // Listed before the topic is read: each was cosigned after its checkpoint record was committed,
    // so the records read must reach it; one beyond their end was cut off the ledger.
    List<Long> cosignedSizes;
    try {
      cosignedSizes = cosignatures == null ? List.of() : CosignatureStore.sizes(cosignatures);
    } catch (IOException e) {
      return AuditorCommand.usageError(err, "cannot list " + cosignatures + ": " + e.getMessage());
    }
    LedgerVerifier ledger = LedgerVerifier.trusting(keys, Optional.empty(), MerkleTree.inMemory());
    List<LedgerPublicKey> announced = new ArrayList<>();
    Map<Long, String> notes = new HashMap<>();
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
                      Checkpoint checkpoint = ledger.lastCheckpoint().orElseThrow();
                      ExportDirectory.writeCheckpoint(directory, checkpoint);
                      notes.put(checkpoint.size(), checkpoint.note());
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
      return AuditorCommand.usageError(err, e.getMessage());
    } catch (IOException e) {
      return AuditorCommand.usageError(err, "cannot write " + directory + ": " + e.getMessage());
    }
    ChainHead head = ledger.head();
    String witnessed = "";
    if (cosignatures != null) {
      try {
        witnessed = copyCosignatures(cosignedSizes, notes, head.size(), quorum);
      } catch (WitnessException | CheckpointException e) {
        out.println(WitnessOptions.failure("--cosignatures " + cosignatures, e, false));
        out.flush();
        return AuditorCommand.INVALID;
      } catch (ChainException e) {
        out.println("FAIL at seq " + e.seq() + ": " + e.describe());
        out.flush();
        return AuditorCommand.INVALID;
      } catch (IOException e) {
        return AuditorCommand.usageError(err, "cannot copy cosignatures: " + e.getMessage());
      }
    }
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
      return AuditorCommand.usageError(err, "cannot write " + directory + ": " + e.getMessage());
    }
    out.println(
        "OK: "
            + head.size()
            + " records exported to "
            + directory
            + (head.isEmpty() ? "" : ", head seq " + head.headSeq() + " " + head.headHash())
            + witnessed
            + injected.summary());
    injected.print(out);
    out.flush();
    return AuditorCommand.OK;
  }

  /**
   * Copies each cosigned note of {@code --cosignatures} that is a checkpoint of the chain: the
   * chain's note followed by the file's other signature lines. Returns the tail of the OK line.
   */
  private String copyCosignatures(
      List<Long> sizes, Map<Long, String> notes, long size, WitnessQuorum quorum)
      throws IOException, WitnessException, CheckpointException, ChainException {
    long anchor = -1;
    int copied = 0;
    for (long cosigned : sizes) {
      Path file = CosignatureStore.file(cosignatures, cosigned);
      SignedNote note = SignedNote.parse(Files.readString(file, StandardCharsets.UTF_8));
      String chainNote = notes.get(cosigned);
      if (cosigned > size) {
        throw new ChainException(
            size,
            ChainException.Reason.TRUNCATED,
            "the ledger ends at "
                + size
                + " records, but witnesses cosigned a checkpoint of "
                + cosigned
                + " ("
                + file
                + "): records were cut off its tail");
      }
      if (chainNote == null || !chainNote.startsWith(note.text() + "\n")) {
        throw new ChainException(
            Math.min(cosigned, size),
            ChainException.Reason.CHECKPOINT_INVALID,
            file
                + " is not the chain's checkpoint of size "
                + cosigned
                + ": what was cosigned is another tree (a fork) or no checkpoint of this ledger");
      }
      SignedNote chain = SignedNote.parse(chainNote);
      List<SignedNote.Signature> lines = new ArrayList<>(chain.signatures());
      Set<String> present = new HashSet<>();
      chain.signatures().forEach(l -> present.add(l.line()));
      note.signatures().stream().filter(l -> present.add(l.line())).forEach(lines::add);
      String merged = new SignedNote(chain.text(), lines).format();
      if (quorum.required() > 0) {
        try {
          quorum.verify(merged);
          anchor = cosigned;
        } catch (WitnessException e) {
          if (e.reason() != WitnessException.Reason.QUORUM_NOT_MET) {
            throw new WitnessException(e.reason(), file + ": " + e.getMessage());
          }
        }
      }
      ExportDirectory.writeCosigned(directory, cosigned, merged);
      copied++;
    }
    if (quorum.required() > 0 && anchor < 0) {
      throw new WitnessException(
          WitnessException.Reason.QUORUM_NOT_MET,
          "no checkpoint of the ledger carries cosignatures of "
              + quorum.required()
              + " of the configured witnesses");
    }
    return ", "
        + copied
        + " cosigned checkpoint(s)"
        + (anchor < 0 ? "" : ", witnessed up to size " + anchor);
  }
}
