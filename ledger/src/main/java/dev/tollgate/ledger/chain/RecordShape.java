package dev.tollgate.ledger.chain;

import static dev.tollgate.ledger.chain.ShapeChecks.KEY_ID;
import static dev.tollgate.ledger.chain.ShapeChecks.invalid;
import static dev.tollgate.ledger.chain.ShapeChecks.requireIntegral;
import static dev.tollgate.ledger.chain.ShapeChecks.requireMembers;
import static dev.tollgate.ledger.chain.ShapeChecks.requireText;
import static dev.tollgate.ledger.chain.ShapeChecks.unknownMember;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape of one stored ledger record, as {@code ledger-record.v1.schema.json} states it: which
 * members it has and of which types, and what records of the ledger's own kinds (checkpoint, key
 * rotation) must look like. It looks at one record alone; what links records (seq, prev, keys in
 * force, signatures, digests, repeats) is {@link ChainVerifier}'s. Where the schema cannot say
 * something the chain needs (a checkpoint's event id naming its own seq, a key rotation taking
 * effect at the next seq) this is stricter, never more lenient; {@code RecordShapeSchemaTest} holds
 * the two to that.
 */
public final class RecordShape {

  private static final Set<String> RECORD_FIELDS =
      Set.of(
          "seq",
          "prev",
          "time",
          "kind",
          "eventId",
          "eventType",
          "links",
          "source",
          "payloadEncoding",
          "payload",
          "payloadDigest",
          "keyId",
          "signature",
          "conflictsWith",
          "authentication",
          "sealed");
  private static final Set<String> SEALED_FIELDS = Set.of("pointer", "commitment");
  private static final Set<String> REQUIRED_FIELDS =
      Set.of(
          "seq",
          "prev",
          "time",
          "kind",
          "eventId",
          "payloadEncoding",
          "payload",
          "payloadDigest",
          "keyId",
          "signature");
  private static final List<String> TEXT_FIELDS =
      List.of(
          "prev",
          "time",
          "kind",
          "eventId",
          "payloadEncoding",
          "payloadDigest",
          "keyId",
          "signature");
  private static final Set<String> LINK_FIELDS =
      Set.of("triggerId", "decisionId", "runUid", "imageDigests");
  private static final Set<String> SOURCE_FIELDS = Set.of("topic", "partition", "offset");
  private static final Set<String> CHECKPOINT_FIELDS =
      Set.of("origin", "size", "rootHash", "note", "sources");
  private static final Set<String> ROTATION_FIELDS = Set.of("keyId", "publicKey", "fromSeq");
  private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9+/]{85}[AQgw]==");
  private static final Pattern PUBLIC_KEY = Pattern.compile("[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=");
  private static final Pattern ORIGIN = Pattern.compile("[^\\s+]+");

  private RecordShape() {}

  /** Whether this is an Ed25519 signature as records carry it: 64 bytes in padded base64. */
  public static boolean isSignature(String value) {
    return SIGNATURE.matcher(value).matches() && isCanonicalBase64(value);
  }

  /**
   * Whether {@code value} is the one base64 spelling of the bytes it decodes to: the unused low
   * bits of its last character are zero. Otherwise several spellings of one signature or key would
   * verify, and a record could be altered without its signature failing.
   */
  static boolean isCanonicalBase64(String value) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return Base64.getEncoder().encodeToString(raw).equals(value);
  }

  /**
   * The record, after checking its members and their types.
   *
   * @param seq the seq the record is expected at, named by the exception
   * @throws ChainException {@link Reason#INVALID_RECORD} naming the first member out of shape
   */
  public static LedgerRecord check(long seq, JsonNode tree) throws ChainException {
    requireShape(seq, tree);
    try {
      return Json.mapper().treeToValue(tree, LedgerRecord.class);
    } catch (JsonProcessingException e) {
      throw invalid(seq, "not a ledger-record.v1: " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      throw invalid(seq, "not a ledger-record.v1: " + e.getMessage());
    }
  }

  /**
   * As {@link #check}, for a tree the writer made from {@code built}: the tree's shape is checked
   * the same way, and {@code built} is the record it converts to.
   */
  static LedgerRecord checkBuilt(long seq, JsonNode tree, LedgerRecord built)
      throws ChainException {
    requireShape(seq, tree);
    return built;
  }

  private static void requireShape(long seq, JsonNode tree) throws ChainException {
    if (!tree.isObject()) {
      throw invalid(seq, "a record is a JSON object");
    }
    requireMembers(seq, tree, "record", RECORD_FIELDS);
    for (String field : REQUIRED_FIELDS) {
      if (!tree.has(field) || (tree.get(field).isNull() && !field.equals("payload"))) {
        throw invalid(seq, "'" + field + "' is required");
      }
    }
    requireIntegral(seq, tree, "seq");
    for (String field : TEXT_FIELDS) {
      requireText(seq, tree, field);
    }
    if (!tree.get("time").asText().endsWith("Z")) {
      throw invalid(seq, "'time' must be an RFC 3339 UTC timestamp");
    }
    if (tree.hasNonNull("eventType")) {
      requireText(seq, tree, "eventType");
    }
    if (!isSignature(tree.get("signature").asText())) {
      throw invalid(seq, "'signature' must be 64 bytes in padded base64");
    }
    JsonNode source = tree.get("source");
    String kind = tree.get("kind").asText();
    if (kind.equals(LedgerRecord.Kind.CHECKPOINT.wire())
        || kind.equals(LedgerRecord.Kind.KEY_ROTATION.wire())) {
      if (source != null) {
        throw invalid(seq, "a " + kind + " record has no 'source'");
      }
      if (tree.has("conflictsWith")) {
        throw invalid(seq, "a " + kind + " record has no 'conflictsWith'");
      }
    } else {
      if (tree.has("conflictsWith")) {
        requireIntegral(seq, tree, "conflictsWith");
        long first = tree.get("conflictsWith").asLong();
        if (first < 0 || first >= tree.get("seq").asLong()) {
          throw invalid(seq, "'conflictsWith' names an earlier seq");
        }
      }
      if (source == null || !source.isObject()) {
        throw invalid(seq, "'source' is required and must be an object");
      }
      requireMembers(seq, source, "source", SOURCE_FIELDS);
      requireText(seq, source, "topic");
      requireIntegral(seq, source, "partition");
      requireIntegral(seq, source, "offset");
    }
    JsonNode authentication = tree.get("authentication");
    if (authentication != null) {
      if (kind.equals(LedgerRecord.Kind.CHECKPOINT.wire())
          || kind.equals(LedgerRecord.Kind.KEY_ROTATION.wire())) {
        throw invalid(seq, "a " + kind + " record has no 'authentication'");
      }
      AuthenticationShape.require(seq, authentication);
    }
    JsonNode sealed = tree.get("sealed");
    if (sealed != null) {
      requireSealed(seq, tree, kind, sealed);
    }
    JsonNode links = tree.get("links");
    if (links != null) {
      if (!links.isObject()) {
        throw invalid(seq, "'links' must be an object");
      }
      requireMembers(seq, links, "links", LINK_FIELDS);
      for (String field : List.of("triggerId", "decisionId", "runUid")) {
        if (links.has(field)) {
          requireText(seq, links, field);
        }
      }
      if (links.has("imageDigests") && !links.get("imageDigests").isArray()) {
        throw invalid(seq, "'links.imageDigests' must be an array");
      }
    }
  }

  /**
   * The members and types of {@code sealed}: a non-empty array of pointer and commitment, only on a
   * source event's JSON payload. That the payload holds each commitment at its pointer, in pointer
   * order, is checked when the record is read.
   */
  private static void requireSealed(long seq, JsonNode tree, String kind, JsonNode sealed)
      throws ChainException {
    if (kind.equals(LedgerRecord.Kind.CHECKPOINT.wire())
        || kind.equals(LedgerRecord.Kind.KEY_ROTATION.wire())) {
      throw invalid(seq, "a " + kind + " record has no 'sealed'");
    }
    if (!tree.get("payloadEncoding").asText().equals(LedgerRecord.PayloadEncoding.JSON.wire())) {
      throw invalid(seq, "only a JSON payload has 'sealed' parts");
    }
    if (!sealed.isArray() || sealed.isEmpty()) {
      throw invalid(seq, "'sealed' must be a non-empty array");
    }
    for (JsonNode part : sealed) {
      if (!part.isObject()) {
        throw invalid(seq, "'sealed[]' must be objects");
      }
      requireMembers(seq, part, "sealed[]", SEALED_FIELDS);
      requireText(seq, part, "pointer");
      requireText(seq, part, "commitment");
      if (!Sha256.isDigest(part.get("commitment").asText())) {
        throw invalid(seq, "'sealed[].commitment' must be sha256:<64 lowercase hex>");
      }
    }
  }

  /**
   * What the record alone tells of a checkpoint: event id {@code checkpoint:<seq>} and a JSON
   * payload of exactly origin, size, rootHash and note. Its note and root are checked against the
   * Merkle tree by {@code dev.tollgate.ledger.checkpoint.LedgerVerifier}.
   *
   * @throws ChainException {@link Reason#CHECKPOINT_INVALID}
   */
  public static void requireCheckpoint(long seq, LedgerRecord record) throws ChainException {
    if (!record.eventId().equals(LedgerRecord.CHECKPOINT_EVENT_ID_PREFIX + seq)) {
      throw new ChainException(
          seq,
          Reason.CHECKPOINT_INVALID,
          "a checkpoint at seq "
              + seq
              + " has event id "
              + LedgerRecord.CHECKPOINT_EVENT_ID_PREFIX
              + seq
              + ", not "
              + record.eventId());
    }
    JsonNode payload = record.payload();
    if (record.payloadEncoding() != LedgerRecord.PayloadEncoding.JSON || !payload.isObject()) {
      throw new ChainException(
          seq, Reason.CHECKPOINT_INVALID, "a checkpoint payload is a JSON object");
    }
    String unknown = unknownMember(payload, CHECKPOINT_FIELDS);
    JsonNode origin = payload.path("origin");
    JsonNode size = payload.path("size");
    JsonNode rootHash = payload.path("rootHash");
    JsonNode note = payload.path("note");
    if (unknown != null
        || !origin.isTextual()
        || !ORIGIN.matcher(origin.asText()).matches()
        || !size.isIntegralNumber()
        || !size.canConvertToLong()
        || size.asLong() < 0
        || !rootHash.isTextual()
        || !Sha256.isDigest(rootHash.asText())
        || !note.isTextual()
        || note.asText().isEmpty()) {
      throw new ChainException(
          seq,
          Reason.CHECKPOINT_INVALID,
          "a checkpoint payload has exactly an origin, a size, a rootHash and a note");
    }
  }

  /**
   * What the record alone tells of a key rotation: event id {@code key-rotation:<seq>} and a JSON
   * payload of exactly keyId, publicKey (padded base64 of 32 bytes) and fromSeq (the next seq).
   * Whether the key is an Ed25519 key with that id is {@link ChainVerifier}'s to check.
   *
   * @throws ChainException {@link Reason#KEY_ROTATION_INVALID}
   */
  public static void requireKeyRotation(long seq, LedgerRecord record) throws ChainException {
    if (!record.eventId().equals(LedgerRecord.KEY_ROTATION_EVENT_ID_PREFIX + seq)) {
      throw new ChainException(
          seq,
          Reason.KEY_ROTATION_INVALID,
          "a key rotation at seq "
              + seq
              + " has event id "
              + LedgerRecord.KEY_ROTATION_EVENT_ID_PREFIX
              + seq
              + ", not "
              + record.eventId());
    }
    JsonNode payload = record.payload();
    if (record.payloadEncoding() != LedgerRecord.PayloadEncoding.JSON || !payload.isObject()) {
      throw new ChainException(
          seq, Reason.KEY_ROTATION_INVALID, "a key rotation payload is a JSON object");
    }
    String unknown = unknownMember(payload, ROTATION_FIELDS);
    if (unknown != null) {
      throw new ChainException(
          seq, Reason.KEY_ROTATION_INVALID, "key rotation payload has unknown member " + unknown);
    }
    JsonNode fromSeq = payload.path("fromSeq");
    if (!fromSeq.isIntegralNumber() || !fromSeq.canConvertToLong() || fromSeq.asLong() != seq + 1) {
      throw new ChainException(
          seq,
          Reason.KEY_ROTATION_INVALID,
          "a key rotation at seq " + seq + " takes effect from seq " + (seq + 1));
    }
    JsonNode keyId = payload.path("keyId");
    if (!keyId.isTextual() || !KEY_ID.matcher(keyId.asText()).matches()) {
      throw new ChainException(
          seq, Reason.KEY_ROTATION_INVALID, "the announced keyId is not 64 lowercase hex");
    }
    JsonNode publicKey = payload.path("publicKey");
    if (!publicKey.isTextual()
        || !PUBLIC_KEY.matcher(publicKey.asText()).matches()
        || !isCanonicalBase64(publicKey.asText())) {
      throw new ChainException(
          seq,
          Reason.KEY_ROTATION_INVALID,
          "the announced public key is not 32 bytes in padded base64");
    }
  }
}
