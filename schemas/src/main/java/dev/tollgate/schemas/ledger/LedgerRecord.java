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
 *
 * <p>Parts of a source event's JSON payload may be <b>sealed</b> ({@code sealed}, empty when none):
 * each sealed value is replaced in {@code payload} by its commitment, {@code sha256:} and the hex
 * SHA-256 of a 32-byte salt followed by the RFC 8785 form of the value, while the salt and value
 * are kept apart where they can be erased. {@code payloadDigest} still states the event's whole
 * content, so it can be checked only while every sealed part is at hand.
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
    @JsonInclude(JsonInclude.Include.NON_NULL) Long conflictsWith,
    @JsonInclude(JsonInclude.Include.NON_NULL) Authentication authentication,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Sealed> sealed) {

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
    if (authentication != null && kind.isLedgerOwn()) {
      throw new IllegalArgumentException(
          "a " + kind.wire() + " record has no source event to authenticate");
    }
    sealed = sealed == null ? List.of() : List.copyOf(sealed);
    if (!sealed.isEmpty()) {
      SealedParts.requireConsistent(kind, payloadEncoding, payload, sealed);
    }
  }

  /** A builder for a new record: every member unset (null), {@code links} {@link Links#NONE}. */
  public static LedgerRecordBuilder builder() {
    return new LedgerRecordBuilder();
  }

  /** A builder holding every member of this record, to derive another from it. */
  public LedgerRecordBuilder toBuilder() {
    return new LedgerRecordBuilder()
        .seq(seq)
        .prev(prev)
        .time(time)
        .kind(kind)
        .eventId(eventId)
        .eventType(eventType)
        .links(links)
        .source(source)
        .payloadEncoding(payloadEncoding)
        .payload(payload)
        .payloadDigest(payloadDigest)
        .keyId(keyId)
        .signature(signature)
        .conflictsWith(conflictsWith)
        .authentication(authentication)
        .sealed(sealed);
  }

  /** This record marked as a conflict with the record at {@code firstSeq}. */
  public LedgerRecord conflicting(long firstSeq) {
    return toBuilder().conflictsWith(firstSeq).build();
  }

  /**
   * Whether the source event verified under a key trusted for its topic. False for records without
   * an authentication (written before the ledger checked signatures) and for the ledger's own
   * records, which have no source event.
   */
  public boolean authenticated() {
    return authentication != null && authentication.result() == Authentication.Result.VERIFIED;
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

  /**
   * What the ledger found when it checked the source event's signature ({@code
   * dev.tollgate.schemas.signing.EventSignatures}) against the keys it trusts for the event's
   * topic, on the record exactly as consumed. Part of the signed record, so the ledger vouches for
   * it; and carrying the signed object and the signature, so a third party holding the signer's
   * public key checks it without the ledger: RFC 8785 of {@code signed}, Ed25519 under the key
   * {@code keyId}.
   *
   * @param signer whose keys the event's topic is trusted for: {@code gateway} (triggers,
   *     rejections), {@code verifier} (decisions), {@code run-watch} (runs)
   * @param result what the check found
   * @param keyId the key id the event names ({@code ce_tollgatesigner}), when it names one
   * @param why for any result but {@code verified}: what is wrong, without secrets
   * @param signed the object whose RFC 8785 form the signature covers, rebuilt from the event's
   *     headers and the SHA-256 of its exact value bytes ({@code datadigest}); absent when the
   *     event carries no signer or its headers cannot be put in signed form
   * @param signature the event's signature (padded base64 of 64 bytes), when it carries one of that
   *     form
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Authentication(
      String signer, Result result, String keyId, String why, JsonNode signed, String signature) {

    /** The signers whose events the ledger records. */
    public static final List<String> SIGNERS = List.of("gateway", "verifier", "run-watch");

    private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9+/]{85}[AQgw]==");

    public Authentication {
      if (signer == null || !SIGNERS.contains(signer)) {
        throw new IllegalArgumentException("authentication.signer is one of " + SIGNERS);
      }
      require(result, "authentication.result");
      if (keyId != null && !KEY_ID.matcher(keyId).matches()) {
        throw new IllegalArgumentException("authentication.keyId must be 64 lowercase hex");
      }
      if (signed != null && !signed.isObject()) {
        throw new IllegalArgumentException("authentication.signed is an object");
      }
      if (signature != null && !SIGNATURE.matcher(signature).matches()) {
        throw new IllegalArgumentException(
            "authentication.signature is 64 bytes in canonical base64");
      }
      if (result == Result.VERIFIED) {
        if (keyId == null || signed == null || signature == null || why != null) {
          throw new IllegalArgumentException(
              "a verified event names its key, the signed object and the signature");
        }
      } else if (why == null || why.isEmpty()) {
        throw new IllegalArgumentException("an event that did not verify says why");
      }
    }

    /** The outcome of checking a source event's signature. */
    public enum Result {
      /** Signed by a key trusted for its topic, over exactly what was consumed. */
      VERIFIED("verified"),
      /** Carries no signature: evidence of what arrived, never acted on. */
      UNSIGNED("unsigned"),
      /** Signed by a key not trusted for its topic (another component's, or a forger's). */
      UNKNOWN_KEY("unknown-key"),
      /** Malformed signature headers, or a signature that does not verify: altered or forged. */
      INVALID("invalid");

      private final String wire;

      Result(String wire) {
        this.wire = wire;
      }

      @JsonValue
      public String wire() {
        return wire;
      }
    }
  }

  /**
   * One sealed part of a payload: the value at {@code pointer} (RFC 6901) was replaced by {@code
   * commitment}, the string {@code sha256:} + hex SHA-256(salt || RFC 8785 of the value), salt 32
   * random bytes. The salt and the value are kept outside the ledger, where they can be erased; the
   * signed record and the chain stay valid either way.
   *
   * @param pointer where the value was in {@code payload}: a JSON pointer to an object member
   * @param commitment what stands there now
   */
  public record Sealed(String pointer, String commitment) {

    private static final Pattern POINTER = Pattern.compile("(/([^~/]|~[01])*)+");

    public Sealed {
      if (pointer == null || !POINTER.matcher(pointer).matches()) {
        throw new IllegalArgumentException("sealed[].pointer is a non-empty RFC 6901 pointer");
      }
      Sha256.requireDigest(commitment, "sealed[].commitment");
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
