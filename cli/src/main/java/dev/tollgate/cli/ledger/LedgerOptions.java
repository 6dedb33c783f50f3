package dev.tollgate.cli.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cli.TollgateCommand;
import dev.tollgate.ledger.audit.ParallelVerifier;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a command reads the ledger (its topic, as the auditor reads it, or an export directory the
 * auditor wrote) and the public key(s) trusted for its first record. Every record is verified by
 * the ledger's own {@link LedgerVerifier} before a command sees it.
 */
public final class LedgerOptions {

  /** An export's records, one stored value a line (the auditor's {@code export}). */
  static final String EXPORT_RECORDS = "records.jsonl";

  static final String EXPORT_MANIFEST = "manifest.json";

  /** Receives each verified record in seq order. */
  @FunctionalInterface
  public interface RecordListener {
    void record(long seq, JsonNode record);
  }

  /**
   * What was read and verified.
   *
   * @param size how many records verified
   * @param headHash the hash of the last record
   * @param keyIds the ids of the ledger keys in force at the end
   * @param injected values on the topic that are not the ledger's, skipped
   * @param source where the records were read
   */
  public record Verified(
      long size, String headHash, List<String> keyIds, long injected, String source) {
    public Verified {
      keyIds = List.copyOf(keyIds);
    }

    /** One line saying what the shown records rest on. */
    public String describe() {
      return "Ledger: "
          + size
          + " records read from "
          + source
          + ", every one verified (chain, signatures, Merkle tree, checkpoints) with ledger key "
          + String.join(", ", keyIds)
          + (injected == 0 ? "" : "; " + injected + " values not the ledger's skipped");
    }
  }

  @Option(
      names = "--bootstrap-server",
      paramLabel = "HOST:PORT",
      description = "Kafka broker(s) to read the ledger topic from.")
  String bootstrapServer;

  @Option(
      names = "--command-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties to connect with, as for Kafka's own tools (security.protocol,"
              + " sasl.*, ssl.*); other settings in it are ignored.")
  Path commandConfig;

  @Option(
      names = "--topic",
      defaultValue = "tollgate.ledger.v1",
      paramLabel = "TOPIC",
      description = "Ledger topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--timeout",
      defaultValue = "PT30S",
      paramLabel = "DURATION",
      description = "How long to wait for the broker, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--from-export",
      paramLabel = "DIR",
      description = "Read the directory the auditor's export wrote instead of the topic.")
  Path fromExport;

  @Option(
      names = "--public-key",
      paramLabel = "PEM",
      description =
          "Ed25519 public key of the ledger trusted for its first record (required; an export's"
              + " own keys prove nothing).")
  List<Path> publicKeys = new ArrayList<>();

  /**
   * The read ended early: a ledger that does not verify or cannot be read, already reported; the
   * command exits with {@link #exitCode()}.
   */
  public static final class StoppedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    private StoppedException(int exitCode) {
      super(null, null, false, false);
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  /**
   * Hands every record of the ledger to {@code listener}, in seq order, each only once it verified
   * (progress lines of a long read go to {@code err}); reports a failure as every command does: a
   * ledger that does not verify is {@code FAIL at seq <n>: ...} then {@code The ledger does not
   * verify: <nothingShown>.} on {@code out} (exit 1); one that cannot be read is {@code ERROR: ...}
   * on {@code err} (exit 2).
   *
   * @param nothingShown what the command did not do, e.g. {@code nothing was replayed}
   * @throws StoppedException when the ledger does not verify or cannot be read (reported)
   */
  public Verified readOrStop(
      RecordListener listener, PrintWriter out, PrintWriter err, String nothingShown)
      throws StoppedException {
    try {
      return read(listener, err);
    } catch (ChainException e) {
      out.println("FAIL at seq " + e.seq() + ": " + e.describe());
      out.println("The ledger does not verify: " + nothingShown + ".");
      out.flush();
      throw new StoppedException(TollgateCommand.FAILED);
    } catch (LedgerSourceException | IOException e) {
      err.println("ERROR: " + e.getMessage());
      err.flush();
      throw new StoppedException(TollgateCommand.USAGE);
    }
  }

  /**
   * Hands every record of the ledger to {@code listener}, in seq order, each only once it verified.
   * Signatures are checked on every processor (the auditor's {@link ParallelVerifier}); the chain,
   * tree and checkpoints in seq order.
   *
   * @param progress where progress lines of a long read go (never the output a script reads), or
   *     null
   * @throws ChainException at the first record that does not verify (nothing after it is read)
   */
  private Verified read(RecordListener listener, PrintWriter progress)
      throws LedgerSourceException, ChainException, IOException {
    List<LedgerPublicKey> keys = keys();
    LedgerVerifier ledger = LedgerVerifier.trusting(keys, Optional.empty(), MerkleTree.inMemory());
    ParallelVerifier.Listener verified =
        (ChainEntry entry, byte[] value) -> listener.record(entry.seq(), tree(value));
    String source;
    long injected;
    try (ParallelVerifier verifier =
        new ParallelVerifier(
            ledger, Runtime.getRuntime().availableProcessors(), progress, verified)) {
      if (fromExport != null) {
        source = "export " + fromExport;
        readExport(verifier);
      } else {
        source = "topic " + topic;
        readTopic(verifier);
      }
      verifier.finish();
      injected = verifier.injected();
    }
    if (fromExport != null) {
      checkExportSize(ledger.head().size());
    }
    return new Verified(
        ledger.head().size(),
        ledger.head().headHash(),
        ledger.keysInForce().stream().map(LedgerPublicKey::keyId).toList(),
        injected,
        source);
  }

  private List<LedgerPublicKey> keys() throws LedgerSourceException {
    if (publicKeys.isEmpty()) {
      throw new LedgerSourceException(
          "--public-key is required: the ledger's first public key (deploy/local/tollgate gives"
              + " the local stack's)");
    }
    List<LedgerPublicKey> keys = new ArrayList<>();
    for (Path file : publicKeys) {
      try {
        keys.add(LedgerPublicKey.read(file));
      } catch (IOException e) {
        throw new LedgerSourceException(
            "cannot read public key " + file + " (" + e.getClass().getSimpleName() + ")");
      } catch (PublicKeyFormatException e) {
        throw new LedgerSourceException(file + " is not an Ed25519 public key: " + e.getMessage());
      }
    }
    return keys;
  }

  private void readTopic(ParallelVerifier verifier)
      throws LedgerSourceException, ChainException, IOException {
    Map<String, Object> connection = new HashMap<>();
    if (commandConfig != null) {
      try {
        connection.putAll(KafkaClientSettings.fromFile(commandConfig));
      } catch (IOException e) {
        throw new LedgerSourceException(
            "cannot read --command-config " + commandConfig + ": " + e.getClass().getSimpleName());
      }
    }
    if (bootstrapServer != null) {
      connection.put("bootstrap.servers", bootstrapServer);
    }
    if (!connection.containsKey("bootstrap.servers")) {
      throw new LedgerSourceException(
          "name the ledger: --bootstrap-server HOST:PORT for its topic, or --from-export DIR");
    }
    // The reader's visitor carries one exception type: ChainException goes through as it is, an
    // IOException of the verifier travels wrapped and is unwrapped below.
    try (LedgerTopicReader reader = new LedgerTopicReader(connection, topic, timeout)) {
      reader.readAll(
          (long offset, byte[] value) -> {
            try {
              verifier.accept(offset, value);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (LedgerTopicException e) {
      throw new LedgerSourceException(e.getMessage());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void readExport(ParallelVerifier verifier)
      throws LedgerSourceException, ChainException, IOException {
    Path records = fromExport.resolve(EXPORT_RECORDS);
    if (!Files.isRegularFile(records)) {
      throw new LedgerSourceException(
          fromExport + " is not an export: it has no " + EXPORT_RECORDS);
    }
    long line = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(records), 1 << 16)) {
      ByteArrayOutputStream record = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          verifier.accept(line++, record.toByteArray());
          record.reset();
        } else {
          record.write(b);
        }
      }
      if (record.size() > 0) {
        // A last line without its newline is still a record; verification judges it.
        verifier.accept(line, record.toByteArray());
      }
    }
  }

  /** Records cut off the end of an export are noticed: the manifest states how many there are. */
  private void checkExportSize(long size) throws LedgerSourceException, ChainException {
    JsonNode manifest;
    try {
      manifest = Json.readTree(Files.readAllBytes(fromExport.resolve(EXPORT_MANIFEST)));
    } catch (IOException | MalformedJsonException e) {
      throw new LedgerSourceException("cannot read the manifest of export " + fromExport);
    }
    long stated = manifest.path("size").asLong(-1);
    if (stated != size) {
      throw new ChainException(
          Math.min(stated < 0 ? 0 : stated, size),
          ChainException.Reason.TRUNCATED,
          "the export's manifest states " + stated + " records, but " + size + " are there");
    }
  }

  private static JsonNode tree(byte[] value) {
    try {
      return Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("a verified record is not JSON", e);
    }
  }
}
