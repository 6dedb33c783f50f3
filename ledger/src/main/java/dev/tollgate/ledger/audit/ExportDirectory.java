package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.ledger.witness.CosignatureStore;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A self-contained copy of a ledger that verifies offline, in formats that need no Tollgate code to
 * read:
 *
 * <ul>
 *   <li>{@code records.jsonl}: every stored record value, exactly the bytes of the topic, one per
 *       line in seq order (RFC 8785 JSON never holds a raw newline, so the line break is not part
 *       of a record); {@code sha256sum} of a line is its record hash, of {@code 0x00 ||} line its
 *       Merkle leaf hash;
 *   <li>{@code checkpoints/<size>.checkpoint}: each checkpoint's C2SP signed note as stored;
 *   <li>{@code cosignatures/<size>.checkpoint}: the checkpoint of that size as the chain holds it,
 *       followed by the witnesses' cosignature/v1 lines (C2SP tlog-cosignature), for those
 *       checkpoints {@code export --cosignatures} was given cosignatures of; {@code witness.py
 *       verify-cosignature} checks one as it is;
 *   <li>{@code keys/<keyId>.pem}: every public key that signs records (the trusted ones and those
 *       announced by key rotations);
 *   <li>{@code manifest.json}: format, topic, size, head hash, the RFC 6962 root of all records,
 *       and the id(s) of the key(s) trusted for the first record; it lets {@code verify
 *       --from-export} notice records cut off the end of {@code records.jsonl}.
 * </ul>
 */
final class ExportDirectory {

  static final String FORMAT = "tollgate-ledger-export/1";
  static final String RECORDS = "records.jsonl";
  static final String MANIFEST = "manifest.json";
  static final String CHECKPOINTS = "checkpoints";
  static final String KEYS = "keys";
  static final String COSIGNATURES = CosignatureStore.DIRECTORY;

  private ExportDirectory() {}

  /** Hands each record of {@code records.jsonl} to the visitor, the line number as its offset. */
  static <E extends Exception> long read(Path directory, LedgerTopicReader.Visitor<E> visitor)
      throws IOException, E {
    long line = 0;
    try (InputStream in =
        new BufferedInputStream(Files.newInputStream(directory.resolve(RECORDS)), 1 << 16)) {
      ByteArrayOutputStream record = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          visitor.visit(line++, record.toByteArray());
          record.reset();
        } else {
          record.write(b);
        }
      }
      if (record.size() > 0) {
        // A last line without its newline is still a record; verification judges it.
        visitor.visit(line++, record.toByteArray());
      }
    }
    return line;
  }

  /** Appends one record line. */
  static void writeRecord(OutputStream out, byte[] value) throws IOException {
    out.write(value);
    out.write('\n');
  }

  static void writeCheckpoint(Path directory, Checkpoint checkpoint) throws IOException {
    Path dir = Files.createDirectories(directory.resolve(CHECKPOINTS));
    Files.writeString(
        dir.resolve(checkpoint.size() + ".checkpoint"), checkpoint.note(), StandardCharsets.UTF_8);
  }

  static void writeCosigned(Path directory, long size, String note) throws IOException {
    Path dir = Files.createDirectories(directory.resolve(COSIGNATURES));
    Files.writeString(CosignatureStore.file(dir, size), note, StandardCharsets.UTF_8);
  }

  /** The sizes of the export's cosigned checkpoints, ascending. */
  static List<Long> cosignedSizes(Path directory) throws IOException {
    return CosignatureStore.sizes(directory.resolve(COSIGNATURES));
  }

  static void writeKey(Path directory, LedgerPublicKey key) throws IOException {
    Path dir = Files.createDirectories(directory.resolve(KEYS));
    Files.writeString(dir.resolve(key.keyId() + ".pem"), key.toPem(), StandardCharsets.US_ASCII);
  }

  static void writeManifest(Path directory, ObjectNode manifest) throws IOException {
    Files.write(directory.resolve(MANIFEST), CanonicalJson.bytes(manifest));
  }

  static JsonNode manifest(Path directory) throws IOException, MalformedJsonException {
    return Json.readTree(Files.readAllBytes(directory.resolve(MANIFEST)));
  }

  /** The keys named as trusted for the first record, read from {@code keys/}. */
  static List<LedgerPublicKey> genesisKeys(Path directory, JsonNode manifest)
      throws IOException, PublicKeyFormatException {
    List<LedgerPublicKey> keys = new ArrayList<>();
    for (JsonNode id : manifest.path("genesisKeyIds")) {
      String keyId = id.asText();
      if (!keyId.matches("[0-9a-f]{64}")) {
        throw new PublicKeyFormatException("manifest names key id '" + keyId + "'");
      }
      LedgerPublicKey key = LedgerPublicKey.read(directory.resolve(KEYS).resolve(keyId + ".pem"));
      if (!key.keyId().equals(keyId)) {
        throw new PublicKeyFormatException("keys/" + keyId + ".pem holds key " + key.keyId());
      }
      keys.add(key);
    }
    return keys;
  }

  /** The checkpoint notes of the export, by size. */
  static List<Path> checkpointFiles(Path directory) throws IOException {
    Path dir = directory.resolve(CHECKPOINTS);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".checkpoint"))
          .sorted()
          .toList();
    }
  }
}
