package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.SignedNote;
import dev.tollgate.ledger.witness.CosignatureStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What {@code verify --from-export} checks of an export beyond its records: that its manifest, its
 * {@code checkpoints/} and its {@code cosignatures/} are the verified chain's.
 */
final class ExportChecks {

  private ExportChecks() {}

  /** The export holds what its manifest says, and every checkpoint file is the chain's. */
  static void checkManifest(
      Path export, LedgerVerifier ledger, JsonNode manifest, Map<Long, String> notes)
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
    for (Path file : ExportDirectory.checkpointFiles(export)) {
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
    for (long checkpointSize : new TreeSet<>(notes.keySet())) {
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

  /** Every cosigned note of the export is the chain's checkpoint of its size, word for word. */
  static void checkCosigned(Path export, Map<Long, String> notes)
      throws ChainException, IOException {
    for (long size : ExportDirectory.cosignedSizes(export)) {
      String name = ExportDirectory.COSIGNATURES + "/" + size + CosignatureStore.SUFFIX;
      String chainNote = notes.get(size);
      String text;
      try {
        text =
            SignedNote.parse(Files.readString(export.resolve(name), StandardCharsets.UTF_8)).text();
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
}
