package dev.tollgate.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.RecordedEvent;
import dev.tollgate.ledger.chain.RecordedEvents;
import dev.tollgate.ledger.store.FrameLog.CorruptFrameException;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The writer's {@link RecordedEvents} on disk: {@code event-ids.bin} holds one frame per
 * source-event record, the canonical JSON {@code {"authenticated","eventId","payloadDigest","seq"}}
 * in seq order, and {@code event-ids.idx} finds them by event id. Uncommitted records are in the
 * log and the table too, and are taken out of both on rollback, so the heap holds only the current
 * transaction's entries.
 */
final class DiskRecordedEvents implements RecordedEvents, AutoCloseable {

  static final String NAME = "event-ids";

  private final FrameIndex frames;
  private final List<String> uncommittedIds = new ArrayList<>();
  private final List<Long> uncommittedPositions = new ArrayList<>();
  private long committedLength;

  private DiskRecordedEvents(FrameIndex frames) {
    this.frames = frames;
  }

  static DiskRecordedEvents open(Path directory) throws IOException {
    return new DiskRecordedEvents(
        FrameIndex.open(directory, NAME, frame -> List.of(read(frame).eventId())));
  }

  /** Cuts back to the committed {@code length}; see {@link FrameIndex#load}. */
  void load(long length) throws CorruptFrameException {
    clearUncommitted();
    frames.load(length);
    committedLength = length;
  }

  /** Bytes in the log, committed or not. */
  long length() {
    return frames.length();
  }

  /** The log's committed length after writing it out. */
  long persist() {
    if (!uncommittedIds.isEmpty()) {
      throw new IllegalStateException("records are uncommitted");
    }
    return frames.persist();
  }

  void reset() {
    clearUncommitted();
    frames.reset();
    committedLength = 0;
  }

  private void clearUncommitted() {
    uncommittedIds.clear();
    uncommittedPositions.clear();
  }

  @Override
  public List<RecordedEvent> records(String eventId) {
    List<RecordedEvent> found = new ArrayList<>(1);
    List<byte[]> candidates;
    try {
      candidates = frames.candidates(eventId);
      for (byte[] frame : candidates) {
        RecordedEvent recorded = read(frame);
        if (recorded.eventId().equals(eventId)) {
          found.add(recorded);
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

  @Override
  public void add(RecordedEvent recorded) {
    ObjectNode frame = Json.mapper().createObjectNode();
    frame.put("authenticated", recorded.authenticated());
    frame.put("eventId", recorded.eventId());
    frame.put("payloadDigest", recorded.payloadDigest());
    frame.put("seq", recorded.seq());
    long position = frames.append(CanonicalJson.bytes(frame), List.of(recorded.eventId()));
    uncommittedIds.add(recorded.eventId());
    uncommittedPositions.add(position);
  }

  @Override
  public void markCommitted() {
    clearUncommitted();
    committedLength = frames.length();
  }

  @Override
  public void rollback() {
    frames.cut(committedLength, uncommittedIds, uncommittedPositions);
    clearUncommitted();
  }

  private static RecordedEvent read(byte[] frame) throws CorruptFrameException {
    try {
      JsonNode event = Json.readTree(frame);
      JsonNode authenticated = event.get("authenticated");
      if (authenticated == null || !authenticated.isBoolean()) {
        throw new CorruptFrameException("event ids do not state whether they were authenticated");
      }
      return new RecordedEvent(
          event.path("eventId").asText(),
          event.path("seq").asLong(-1),
          event.path("payloadDigest").asText(),
          authenticated.booleanValue());
    } catch (MalformedJsonException | IllegalArgumentException e) {
      throw new CorruptFrameException("event ids are not readable: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    frames.close();
  }
}
