package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code verify} and {@code replay} read a ledger: its topic, or an {@code export} directory;
 * and which keys they trust for its first record.
 */
final class AuditSource {

  /** A source that cannot be read, or keys that cannot be: a usage error (exit 2). */
  static final class SourceException extends Exception {
    private static final long serialVersionUID = 1L;

    SourceException(String message) {
      super(message);
    }
  }

  /** Takes each record of the ledger in order; what the auditor commands do with one. */
  @FunctionalInterface
  interface RecordVisitor {
    void visit(long offset, byte[] value) throws ChainException, IOException;
  }

  private AuditSource() {}

  /**
   * The keys trusted for the first record: those given with {@code --public-key}. An export's own
   * keys prove nothing (whoever forged the export wrote them too), so they are taken only when
   * {@code anchoredElsewhere}: the caller then holds trust from outside the export, a checkpoint
   * kept from before with a quorum of witness cosignatures, which the chain must reproduce.
   */
  static List<LedgerPublicKey> trustedKeys(List<Path> files, Path export, boolean anchoredElsewhere)
      throws SourceException {
    List<LedgerPublicKey> keys = new ArrayList<>();
    for (Path file : files) {
      try {
        keys.add(LedgerPublicKey.read(file));
      } catch (IOException e) {
        throw new SourceException(
            "cannot read public key " + file + " (" + e.getClass().getSimpleName() + ")");
      } catch (PublicKeyFormatException e) {
        throw new SourceException("not an Ed25519 public key: " + e.getMessage());
      }
    }
    if (keys.isEmpty() && export != null && anchoredElsewhere) {
      try {
        keys.addAll(ExportDirectory.genesisKeys(export, ExportDirectory.manifest(export)));
      } catch (IOException | MalformedJsonException | PublicKeyFormatException e) {
        throw new SourceException(
            "cannot read the keys of export " + export + ": " + e.getMessage());
      }
    }
    if (keys.isEmpty() && export != null) {
      throw new SourceException(
          "an export's own keys prove nothing: give --public-key with the ledger's first public"
              + " key, or --checkpoint with a checkpoint you kept and --witness-key for the"
              + " witnesses that cosigned it");
    }
    if (keys.isEmpty()) {
      throw new SourceException("--public-key is required");
    }
    return keys;
  }

  /** Hands every record to the visitor, from the export when one is given, else the topic. */
  static void read(LedgerTopicOptions topic, Path export, RecordVisitor visitor)
      throws SourceException, ChainException, IOException {
    // The readers' visitors carry one exception type: ChainException goes through as it is, an
    // IOException of the visitor travels wrapped and is unwrapped below.
    LedgerTopicReader.Visitor<ChainException> chained =
        (offset, value) -> {
          try {
            visitor.visit(offset, value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    try {
      if (export != null) {
        ExportDirectory.read(export, chained);
      } else {
        try (LedgerTopicReader reader = topic.open()) {
          reader.readAll(chained);
        }
      }
    } catch (LedgerTopicException e) {
      throw new SourceException(e.getMessage());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The manifest of an export, or a usage error. */
  static JsonNode manifest(Path export) throws SourceException {
    try {
      JsonNode manifest = ExportDirectory.manifest(export);
      if (!manifest.path("format").asText().equals(ExportDirectory.FORMAT)) {
        throw new SourceException(export + " is not a " + ExportDirectory.FORMAT + " export");
      }
      return manifest;
    } catch (IOException | MalformedJsonException e) {
      throw new SourceException("cannot read the manifest of export " + export);
    }
  }
}
