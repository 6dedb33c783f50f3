package dev.tollgate.schemas.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One entry of the signed, hash-chained ledger ({@code ledger-record.v1.schema.json}, which states
 * exactly which bytes are hashed and signed; {@link #signedBytes} and {@link #recordHash} are that
 * statement in code). Records of source events carry their {@code source}; the ledger's own records
 * ({@link Kind#CHECKPOINT}, {@link Kind#KEY_ROTATION}) have none.
 *
 * <p>Every distinct event is recorded: an event id is recorded once per distinct content (payload
 * digest). A later event with an id recorded before and other content is recorded as well, with
 * {@code conflictsWith} the seq of the first record of that id.
 */
public record LedgerRecord(
    long seq,
    String prev,
    Instant time,
    Kind kind,
    String eventId,
    String eventType,
    Links links,
    @JsonInclude(JsonInclude.Include.NON_NULL) SourcePosition source,
    PayloadEncoding payloadEncoding,
    JsonNode payload,
    String payloadDigest,
    String keyId,
    String signature,
    @JsonInclude(JsonInclude.Include.NON_NULL) Long conflictsWith) {

  /** The prefix of a checkpoint record's event id, which ends with the tree size it covers. */
  public static final String CHECKPOINT_EVENT_ID_PREFIX = "checkpoint:";

  /** The prefix of a key-rotation record's event id, which ends with the record's own seq. */
  public static final String KEY_ROTATION_EVENT_ID_PREFIX = "key-rotation:";

  /** The {@code prev} of the first record. */
  public static final String GENESIS_PREV = Sha256.PREFIX + "0".repeat(64);

  /**
   * The largest record the ledger writes, in bytes; the ledger topic's {@code max.message.bytes}
   * and the writer's {@code max.request.size} are set to it.
   */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  /** The member left out of the signed bytes. */
  public static final String SIGNATURE_FIELD = "signature";

  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

  public LedgerRecord {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative");
    }
    Sha256.requireDigest(prev, "prev");
    require(time, "time");
    require(kind, "kind");
    if (eventId == null || eventId.isEmpty()) {
      throw new IllegalArgumentException("eventId is required");
    }
    links = links == null ? Links.NONE : links;
    if (kind.isLedgerOwn()) {
      if (source != null) {
        throw new IllegalArgumentException("a " + kind.wire() + " record has no source");
      }
    } else {
      require(source, "source");
    }
    require(payloadEncoding, "payloadEncoding");
    require(payload, "payload");
    Sha256.requireDigest(payloadDigest, "payloadDigest");
    if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("keyId must be 64 lowercase hex");
    }
    if (conflictsWith != null) {
      if (kind.isLedgerOwn()) {
        throw new IllegalArgumentException("a " + kind.wire() + " record conflicts with nothing");
      }
      if (conflictsWith < 0 || conflictsWith >= seq) {
        throw new IllegalArgumentException("conflictsWith names an earlier seq");
      }
    }
  }

  /** A record that conflicts with no earlier one: the first (or only) record of its event id. */
  public LedgerRecord(
      long seq,
      String prev,
      Instant time,
      Kind kind,
      String eventId,
      String eventType,
      Links links,
      SourcePosition source,
      PayloadEncoding payloadEncoding,
      JsonNode payload,
      String payloadDigest,
      String keyId,
      String signature) {
    this(
        seq,
        prev,
        time,
        kind,
        eventId,
        eventType,
        links,
        source,
        payloadEncoding,
        payload,
        payloadDigest,
        keyId,
        signature,
        null);
  }

  /** This record marked as a conflict with the record at {@code firstSeq}. */
  public LedgerRecord conflicting(long firstSeq) {
    return new LedgerRecord(
        seq,
        prev,
        time,
        kind,
        eventId,
        eventType,
        links,
        source,
        payloadEncoding,
        payload,
        payloadDigest,
        keyId,
        signature,
        firstSeq);
  }

  private static void require(Object value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
  }

  /** The bytes the signature covers: the canonical JSON of the record without its signature. */
  public static byte[] signedBytes(JsonNode record) {
    ObjectNode unsigned = record.deepCopy();
    unsigned.remove(SIGNATURE_FIELD);
    return CanonicalJson.bytes(unsigned);
  }

  /** The hash the next record's {@code prev} names: SHA-256 over the whole canonical record. */
  public static String recordHash(JsonNode record) {
    return Sha256.digest(CanonicalJson.bytes(record));
  }

  /** This record as a tree, the form that is hashed, signed and stored. */
  public JsonNode toTree() {
    return Json.toTree(this);
  }

  /**
   * Which source topic the record came from, or {@link #CHECKPOINT} and {@link #KEY_ROTATION} for
   * the ledger's own records.
   */
  public enum Kind {
    TRIGGER("trigger"),
    REJECTION("rejection"),
    DECISION("decision"),
    RUN("run"),
    /** A signed tree head of the ledger's Merkle tree, written by the ledger itself. */
    CHECKPOINT("checkpoint"),
    /** The ledger's next signing key, announced under the signature of the key in force. */
    KEY_ROTATION("key-rotation");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }

    /** Whether the ledger writes records of this kind itself (no source event, no source). */
    public boolean isLedgerOwn() {
      return this == CHECKPOINT || this == KEY_ROTATION;
    }
  }

  /** How {@code payload} holds the source event's data. */
  public enum PayloadEncoding {
    /** The data was JSON and {@code payload} is that value. */
    JSON("json"),
    /** The data was not JSON and {@code payload} is a base64 string of its bytes. */
    BASE64("base64");

    private final String wire;

    PayloadEncoding(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /** Where the ledger read the event. */
  public record SourcePosition(String topic, int partition, long offset) {
    public SourcePosition {
      if (topic == null || topic.isEmpty() || partition < 0 || offset < 0) {
        throw new IllegalArgumentException("source needs a topic and non-negative position");
      }
    }
  }

  /** Ids this record links, for provenance queries. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Links(
      String triggerId, String decisionId, String runUid, List<String> imageDigests) {
    /** No links. */
    public static final Links NONE = new Links(null, null, null, List.of());

    public Links {
      imageDigests = imageDigests == null ? List.of() : List.copyOf(imageDigests);
      imageDigests.forEach(d -> Sha256.requireDigest(d, "links.imageDigests[]"));
    }
  }
}
