package dev.tollgate.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.index.DecisionRecord;
import dev.tollgate.ledger.index.IndexedRecord;
import dev.tollgate.ledger.index.LinkStore;
import dev.tollgate.ledger.index.LinkedRecord;
import dev.tollgate.ledger.store.FrameLog.CorruptFrameException;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The writer's {@link LinkStore} on disk: {@code links.bin} holds one frame per record that links
 * ids, in seq order, the canonical JSON {@code {"authenticated","decision"?,"eventId","kind",
 * "links":{"decisionId"?,"imageDigests","runUid"?,"triggerId"?},"seq"}} ({@code decision}: {@code
 * {"admitted","pinnedDigests","runName"?,"runNamespace"?}}, for a decision whose event verified),
 * and {@code links.idx} finds them by seq and by each link. The index adds only committed records,
 * so nothing here is ever rolled back; what lies beyond the committed length after a crash is cut
 * off on load. Thread-safe: the writer adds and persists, HTTP and watch threads find.
 */
final class DiskLinkStore implements LinkStore, AutoCloseable {

  static final String NAME = "links";

  private final FrameIndex frames;

  private DiskLinkStore(FrameIndex frames) {
    this.frames = frames;
  }

  static DiskLinkStore open(Path directory) throws IOException {
    return new DiskLinkStore(FrameIndex.open(directory, NAME, frame -> read(frame).keys()));
  }

  /** Cuts back to the committed {@code length}; see {@link FrameIndex#load}. */
  synchronized void load(long length) throws CorruptFrameException {
    frames.load(length);
  }

  /** Bytes in the log. */
  synchronized long length() {
    return frames.length();
  }

  /** The log's length after writing it out. */
  synchronized long persist() {
    return frames.persist();
  }

  synchronized void reset() {
    frames.reset();
  }

  @Override
  public synchronized void add(LinkedRecord record) {
    frames.append(CanonicalJson.bytes(write(record)), record.keys());
  }

  @Override
  public synchronized List<LinkedRecord> find(String key) {
    List<LinkedRecord> found = new ArrayList<>();
    try {
      for (byte[] frame : frames.candidates(key)) {
        LinkedRecord record = read(frame);
        if (record.hasKey(key)) {
          found.add(record);
        }
      }
    } catch (CorruptFrameException e) {
      throw new IllegalStateException(
          "the ledger data directory is damaged ("
              + e.getMessage()
              + "); stop the writer and delete it to rebuild it from the topic",
          e);
    }
    return List.copyOf(found);
  }

  private static ObjectNode write(LinkedRecord record) {
    IndexedRecord links = record.links();
    ObjectNode frame = Json.mapper().createObjectNode();
    frame.put("seq", links.seq());
    frame.put("kind", links.kind());
    frame.put("eventId", links.eventId());
    frame.put("authenticated", links.authenticated());
    ObjectNode linked = frame.putObject("links");
    putIfPresent(linked, "triggerId", links.triggerId());
    putIfPresent(linked, "decisionId", links.decisionId());
    putIfPresent(linked, "runUid", links.runUid());
    ArrayNode digests = linked.putArray("imageDigests");
    links.imageDigests().forEach(digests::add);
    DecisionRecord decision = record.decision();
    if (decision != null) {
      ObjectNode decided = frame.putObject("decision");
      decided.put("admitted", decision.admitted());
      putIfPresent(decided, "runNamespace", decision.runNamespace());
      putIfPresent(decided, "runName", decision.runName());
      // What the run watch compares Tekton's resolved refSource with, after a restart too.
      ArrayNode pinned = decided.putArray("pinnedDigests");
      decision.pinnedDigests().forEach(pinned::add);
    }
    return frame;
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  private static LinkedRecord read(byte[] bytes) throws CorruptFrameException {
    try {
      JsonNode frame = Json.readTree(bytes);
      JsonNode links = frame.path("links");
      List<String> digests = new ArrayList<>();
      links.path("imageDigests").forEach(d -> digests.add(d.asText()));
      IndexedRecord indexed =
          new IndexedRecord(
              frame.path("seq").asLong(-1),
              frame.path("kind").asText(),
              frame.path("eventId").asText(),
              text(links, "triggerId"),
              text(links, "decisionId"),
              text(links, "runUid"),
              digests,
              frame.path("authenticated").asBoolean(false));
      JsonNode decided = frame.get("decision");
      DecisionRecord decision = null;
      if (decided != null) {
        if (indexed.decisionId() == null || indexed.triggerId() == null) {
          throw new CorruptFrameException("a decision frame without its ids");
        }
        decision =
            new DecisionRecord(
                indexed.seq(),
                indexed.decisionId(),
                indexed.triggerId(),
                decided.path("admitted").asBoolean(false),
                text(decided, "runNamespace"),
                text(decided, "runName"),
                texts(decided.path("pinnedDigests")));
      }
      if (indexed.seq() < 0) {
        throw new CorruptFrameException("a links frame without a seq");
      }
      return new LinkedRecord(indexed, decision);
    } catch (MalformedJsonException | IllegalArgumentException e) {
      throw new CorruptFrameException("links are not readable: " + e.getMessage());
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  @Override
  public synchronized void close() {
    frames.close();
  }
}
