package dev.tollgate.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.chain.RecordedEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.merkle.FileHashStore;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The writer's state on local disk, so that a restart reads only the records appended since the
 * last commit instead of the whole ledger topic. Plain files, documented here, that any tool can
 * read:
 *
 * <ul>
 *   <li>{@code tree/level-NN.hashes}: the RFC 6962 Merkle tree ({@link FileHashStore});
 *   <li>{@code offsets.bin}: the ledger topic offset of each seq, big-endian 64-bit, 8 bytes per
 *       record;
 *   <li>{@code event-ids.bin}: each source-event record's event id, seq and payload digest, in seq
 *       order, each as a big-endian 32-bit length and the canonical JSON {@code
 *       {"authenticated","eventId","payloadDigest","seq"}} (the ledger's own records have none);
 *   <li>{@code links.bin}: for each record that links ids, the same framing around the canonical
 *       JSON of its seq, kind, event id, links, {@code authentication.result} and (for decisions)
 *       outcome, PipelineRun and the pinned-digest evidence of its verification report ({@link
 *       LedgerIndex#pinnedEvidence}); frames written before these last two were kept count as
 *       unauthenticated, as they always did;
 *   <li>{@code state.json}: what the files above hold as of the last committed transaction: size,
 *       head hash, each file's length, the keys in force, the last checkpoint with the key that
 *       signed it, the source-offset accounting (ranges accounted per source partition, offsets
 *       recorded since the last checkpoint), and the ledger topic. Replaced atomically after every
 *       commit, so it is the commit point: bytes beyond the lengths it states are cut off on open.
 * </ul>
 *
 * <p>Nothing here is trusted blindly: on open the last checkpoint's note is verified again and the
 * tree must reproduce its root, and the writer checks the stored head against the record the topic
 * holds at the stored offset before it resumes ({@code dev.tollgate.ledger.recovery}). Not
 * thread-safe; the writer thread alone uses it.
 */
public final class LedgerDataDir implements AutoCloseable {

  /** Format 2: event ids are kept with their seq and payload digest (conflicts are recorded). */
  private static final int FORMAT = 3;

  private static final String STATE = "state.json";
  private static final String OFFSETS = "offsets.bin";
  private static final String EVENT_IDS = "event-ids.bin";
  private static final String LINKS = "links.bin";
  private static final String TREE = "tree";

  private final Path directory;
  private final String ledgerTopic;
  private final FileHashStore hashes;
  private final MerkleTree tree;
  private final FileChannel offsets;
  private final FileChannel eventIds;
  private final FileChannel links;
  private final ByteArrayOutputStream pendingOffsets = new ByteArrayOutputStream();
  private final ByteArrayOutputStream pendingEventIds = new ByteArrayOutputStream();
  private final ByteArrayOutputStream pendingLinks = new ByteArrayOutputStream();
  private long pendingSize;
  private long size;
  private boolean open = true;

  private LedgerDataDir(Path directory, String ledgerTopic, FileHashStore hashes)
      throws IOException {
    this.directory = directory;
    this.ledgerTopic = ledgerTopic;
    this.hashes = hashes;
    this.tree = new MerkleTree(hashes);
    this.offsets = open(directory.resolve(OFFSETS));
    this.eventIds = open(directory.resolve(EVENT_IDS));
    this.links = open(directory.resolve(LINKS));
  }

  private static FileChannel open(Path file) throws IOException {
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /**
   * Opens the data directory of this ledger topic, creating it when missing. A directory whose
   * state cannot be read back consistently (missing or short files, another topic, a tree that does
   * not reproduce the last checkpoint) is emptied: the writer then rebuilds it from the topic.
   */
  public static LedgerDataDir open(Path directory, String ledgerTopic) throws IOException {
    Files.createDirectories(directory);
    return new LedgerDataDir(directory, ledgerTopic, FileHashStore.open(directory.resolve(TREE)));
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** The Merkle tree kept in the directory, which the writer's verifier fills. */
  public MerkleTree tree() {
    return tree;
  }

  /** The committed size: records whose state is on disk. */
  public long size() {
    return size;
  }

  /**
   * Reads what the directory holds back, or returns empty (after emptying the directory) when it
   * holds nothing usable; the tree is then empty too.
   */
  public Optional<StoredLedger> load() throws IOException {
    // Records added by a recovery that failed half way were never committed here.
    rollback();
    Path stateFile = directory.resolve(STATE);
    if (!Files.exists(stateFile)) {
      reset();
      return Optional.empty();
    }
    try {
      return Optional.of(read(Json.readTree(Files.readAllBytes(stateFile))));
    } catch (MalformedJsonException | InvalidStateException e) {
      reset();
      throw new IOException("unusable ledger data in " + directory + ": " + e.getMessage(), e);
    }
  }

  private StoredLedger read(JsonNode state) throws IOException, InvalidStateException {
    if (state.path("format").asInt() != FORMAT
        || !state.path("ledgerTopic").asText().equals(ledgerTopic)) {
      throw new InvalidStateException("it is not format " + FORMAT + " of topic " + ledgerTopic);
    }
    long stored = state.path("size").asLong(-1);
    long offsetsBytes = state.path("offsetsBytes").asLong(-1);
    long eventIdsBytes = state.path("eventIdsBytes").asLong(-1);
    long linksBytes = state.path("linksBytes").asLong(-1);
    if (stored < 0
        || offsetsBytes != stored * Long.BYTES
        || offsets.size() < offsetsBytes
        || eventIds.size() < eventIdsBytes
        || links.size() < linksBytes
        || eventIdsBytes < 0
        || linksBytes < 0
        || hashes.size() < stored) {
      throw new InvalidStateException("its files are shorter than its state says");
    }
    offsets.truncate(offsetsBytes);
    eventIds.truncate(eventIdsBytes);
    links.truncate(linksBytes);
    tree.truncate(stored);
    ChainHead head =
        stored == 0 ? ChainHead.EMPTY : new ChainHead(stored, state.path("headHash").asText());
    List<LedgerPublicKey> keys = new ArrayList<>();
    for (JsonNode key : state.path("keysInForce")) {
      keys.add(publicKey(key.asText()));
    }
    if (keys.isEmpty()) {
      throw new InvalidStateException("it names no key in force");
    }
    Optional<Checkpoint> checkpoint = Optional.empty();
    Optional<LedgerPublicKey> checkpointKey = Optional.empty();
    JsonNode checkpointNode = state.path("checkpoint");
    if (checkpointNode.isObject()) {
      LedgerPublicKey key = publicKey(state.path("checkpointKey").asText());
      checkpointKey = Optional.of(key);
      try {
        Checkpoint last =
            Checkpoint.fromPayload(
                checkpointNode, NoteKey.of(checkpointNode.path("origin").asText(), key));
        if (last.size() >= stored || !Arrays.equals(tree.rootHash(last.size()), last.rootHash())) {
          throw new InvalidStateException("its tree does not reproduce the last checkpoint");
        }
        checkpoint = Optional.of(last);
      } catch (CheckpointException | IllegalArgumentException e) {
        throw new InvalidStateException("its last checkpoint does not verify: " + e.getMessage());
      }
    }
    SeqOffsets seqOffsets = SeqOffsets.read(offsets, offsetsBytes);
    if (seqOffsets.size() != stored) {
      throw new InvalidStateException("offsets end early");
    }
    List<RecordedEvent> ids = new ArrayList<>();
    for (byte[] frame : frames(EVENT_IDS)) {
      ids.add(recordedEvent(frame, stored));
    }
    LedgerIndex index = new LedgerIndex();
    for (byte[] frame : frames(LINKS)) {
      JsonNode linked;
      try {
        linked = Json.readTree(frame);
      } catch (MalformedJsonException e) {
        throw new InvalidStateException("links are not JSON");
      }
      long seq = linked.path("seq").asLong(-1);
      if (seq < index.size() || seq >= stored) {
        throw new InvalidStateException("links are out of order");
      }
      index.advanceTo(seq);
      index.add(seq, frame);
    }
    index.advanceTo(stored);
    size = stored;
    pendingSize = stored;
    SourceAccounting.State sources;
    try {
      sources = SourceAccounting.State.fromJson(state.path("sourceAccounting"));
    } catch (IllegalArgumentException e) {
      throw new InvalidStateException("its source accounting is not readable: " + e.getMessage());
    }
    return new StoredLedger(
        head,
        List.copyOf(keys),
        ids,
        checkpoint,
        checkpointKey,
        state.path("checkpointCount").asLong(),
        seqOffsets,
        index,
        sources);
  }

  private static RecordedEvent recordedEvent(byte[] frame, long stored)
      throws InvalidStateException {
    try {
      JsonNode event = Json.readTree(frame);
      long seq = event.path("seq").asLong(-1);
      if (seq >= stored) {
        throw new InvalidStateException("an event id names a seq beyond the head");
      }
      JsonNode authenticated = event.get("authenticated");
      if (authenticated == null || !authenticated.isBoolean()) {
        throw new InvalidStateException("event ids do not state whether they were authenticated");
      }
      return new RecordedEvent(
          event.path("eventId").asText(),
          seq,
          event.path("payloadDigest").asText(),
          authenticated.booleanValue());
    } catch (MalformedJsonException | IllegalArgumentException e) {
      throw new InvalidStateException("event ids are not readable: " + e.getMessage());
    }
  }

  private static LedgerPublicKey publicKey(String base64) throws InvalidStateException {
    try {
      return LedgerPublicKey.fromRaw(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException | PublicKeyFormatException e) {
      throw new InvalidStateException("a stored key is not an Ed25519 key");
    }
  }

  private List<byte[]> frames(String file) throws IOException, InvalidStateException {
    // Whole-file reads: the files were cut to the committed lengths just before.
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(directory.resolve(file)));
    List<byte[]> frames = new ArrayList<>();
    while (bytes.hasRemaining()) {
      if (bytes.remaining() < Integer.BYTES) {
        throw new InvalidStateException(file + " ends in a cut-off frame");
      }
      int length = bytes.getInt();
      if (length < 0 || length > bytes.remaining()) {
        throw new InvalidStateException(file + " has a frame that overruns it");
      }
      byte[] frame = new byte[length];
      bytes.get(frame);
      frames.add(frame);
    }
    return frames;
  }

  /**
   * Remembers a record the writer verified, in seq order, for the next {@link #commit}; the tree
   * already holds its leaf.
   */
  public void add(long seq, long offset, byte[] value) {
    JsonNode record;
    try {
      record = Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalArgumentException("record " + seq + " was verified but is not JSON", e);
    }
    if (seq != pendingSize) {
      throw new IllegalArgumentException("the data directory expects seq " + pendingSize);
    }
    pendingSize++;
    pendingOffsets.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(offset).array());
    String kind = record.path("kind").asText();
    if (kind.equals("checkpoint") || kind.equals("key-rotation")) {
      return;
    }
    ObjectNode recorded = Json.mapper().createObjectNode();
    recorded.put("eventId", record.path("eventId").asText());
    recorded.put("payloadDigest", record.path("payloadDigest").asText());
    recorded.put(
        "authenticated", record.path("authentication").path("result").asText().equals("verified"));
    recorded.put("seq", seq);
    frame(pendingEventIds, CanonicalJson.bytes(recorded));
    JsonNode recordLinks = record.path("links");
    if (recordLinks.isObject() && recordLinks.size() > 0) {
      ObjectNode linked = Json.mapper().createObjectNode();
      linked.put("seq", seq);
      linked.put("kind", kind);
      linked.put("eventId", record.path("eventId").asText());
      linked.set("links", recordLinks);
      // The index counts only authenticated records as their component's word: without the
      // result, a restart would take every admitting decision for evidence only.
      JsonNode result = record.path("authentication").path("result");
      if (result.isTextual()) {
        linked.putObject("authentication").set("result", result);
      }
      if (kind.equals("decision")) {
        ObjectNode payload = linked.putObject("payload");
        payload.set("outcome", record.path("payload").path("outcome"));
        payload.set("pipelineRun", record.path("payload").path("pipelineRun"));
        JsonNode pinned = LedgerIndex.pinnedEvidence(record.path("payload"));
        if (pinned != null) {
          payload.set("verification", pinned);
        }
      }
      frame(pendingLinks, CanonicalJson.bytes(linked));
    }
  }

  private static void frame(ByteArrayOutputStream out, byte[] bytes) {
    out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }

  /**
   * Writes every record added since the last commit and then the state that makes them count: the
   * head, the keys in force and the last checkpoint (with the key that signed it).
   */
  public void commit(
      ChainHead head,
      Collection<LedgerPublicKey> keysInForce,
      Optional<Checkpoint> checkpoint,
      Optional<LedgerPublicKey> checkpointKey,
      long checkpointCount,
      SourceAccounting.State sources)
      throws IOException {
    if (head.size() != pendingSize || tree.size() < head.size()) {
      throw new IllegalStateException(
          "committing " + head.size() + " records, but " + pendingSize + " were added");
    }
    append(offsets, pendingOffsets);
    append(eventIds, pendingEventIds);
    append(links, pendingLinks);
    ObjectNode state = Json.mapper().createObjectNode();
    state.put("format", FORMAT);
    state.put("ledgerTopic", ledgerTopic);
    state.put("size", head.size());
    if (!head.isEmpty()) {
      state.put("headHash", head.headHash());
    }
    state.put("offsetsBytes", offsets.size());
    state.put("eventIdsBytes", eventIds.size());
    state.put("linksBytes", links.size());
    ArrayNode keys = state.putArray("keysInForce");
    keysInForce.stream()
        .sorted(Comparator.comparing(LedgerPublicKey::keyId))
        .forEach(k -> keys.add(Base64.getEncoder().encodeToString(k.raw())));
    if (checkpoint.isPresent() && checkpointKey.isPresent()) {
      state.set("checkpoint", checkpoint.get().toPayload());
      state.put("checkpointKey", Base64.getEncoder().encodeToString(checkpointKey.get().raw()));
    }
    state.put("checkpointCount", checkpointCount);
    state.set("sourceAccounting", sources.toJson());
    Path temporary = directory.resolve(STATE + ".tmp");
    Files.write(temporary, CanonicalJson.bytes(state));
    Files.move(
        temporary,
        directory.resolve(STATE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    size = head.size();
  }

  private static void append(FileChannel channel, ByteArrayOutputStream pending)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(pending.toByteArray());
    long position = channel.size();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    pending.reset();
  }

  /** Forgets records added since the last commit (their transaction was aborted). */
  public void rollback() {
    pendingOffsets.reset();
    pendingEventIds.reset();
    pendingLinks.reset();
    pendingSize = size;
  }

  /** Empties the directory: the tree and every file. */
  public void reset() throws IOException {
    rollback();
    Files.deleteIfExists(directory.resolve(STATE));
    offsets.truncate(0);
    eventIds.truncate(0);
    links.truncate(0);
    tree.truncate(0);
    size = 0;
    pendingSize = 0;
  }

  /** False once closed: the writer then opens the directory again before it uses it. */
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
    hashes.close();
    for (FileChannel channel : List.of(offsets, eventIds, links)) {
      try {
        channel.close();
      } catch (IOException e) {
        // Everything committed was written before; closing loses nothing.
      }
    }
  }

  private static final class InvalidStateException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidStateException(String message) {
      super(message);
    }
  }
}
