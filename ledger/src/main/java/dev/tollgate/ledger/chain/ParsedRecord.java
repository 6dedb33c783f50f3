package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One stored value as the auditor's checkpoint pass sees it: parsed once, checked for canonical
 * form once, shape-checked, with its record hash, Merkle leaf hash and payload digest computed, all
 * without knowing the records before it, so many threads compute these ahead of the sequential pass
 * ({@link ChainVerifier#verifyNextAuthenticatedLater}). Its Ed25519 signature is not verified here:
 * a checkpoint that covers the record authenticates it, or the auditor verifies it with {@link
 * #signedBytes()} and {@link #signature()} later.
 *
 * <p>The value is RFC 8785 canonical (checked before anything else is taken from it), and the
 * canonical form of an object is its members' canonical forms in key order joined by commas: so the
 * payload's canonical bytes are the slice of the value after {@code "payload":}, and the bytes the
 * signature covers (the record without its {@code signature} member) are the value with that member
 * and one comma cut out. Neither is serialised again.
 */
public final class ParsedRecord {

  private static final byte[] PAYLOAD_KEY = "\"payload\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SIGNATURE_KEY =
      ("\"" + LedgerRecord.SIGNATURE_FIELD + "\":").getBytes(StandardCharsets.UTF_8);
  private static final byte[] PAYLOAD_NAME = "payload".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SIGNATURE_NAME =
      LedgerRecord.SIGNATURE_FIELD.getBytes(StandardCharsets.UTF_8);

  private final byte[] value;
  private final Reason problem;
  private final String why;
  private final LedgerRecord record;
  private final String hash;
  private final byte[] leafHash;
  private final String payloadDigest;
  private final int cutFrom;
  private final int cutTo;

  private ParsedRecord(
      byte[] value,
      Reason problem,
      String why,
      LedgerRecord record,
      String hash,
      byte[] leafHash,
      String payloadDigest,
      int cutFrom,
      int cutTo) {
    this.value = value;
    this.problem = problem;
    this.why = why;
    this.record = record;
    this.hash = hash;
    this.leafHash = leafHash;
    this.payloadDigest = payloadDigest;
    this.cutFrom = cutFrom;
    this.cutTo = cutTo;
  }

  private static ParsedRecord refused(byte[] value, Reason problem, String why) {
    return new ParsedRecord(value, problem, why, null, null, null, null, -1, -1);
  }

  /**
   * Parses and checks {@code value}. Thread-safe; never throws for a bad value: {@link #problem()}
   * then says what was wrong, which the sequential pass reports at the seq it expected.
   */
  public static ParsedRecord parse(byte[] value) {
    ParsedRecord plain = parsePlain(value);
    return plain != null ? plain : parseTree(value);
  }

  /**
   * The common case without a tree of the payload: a value {@link CanonicalScan} proves canonical,
   * of a source event with a JSON object payload and nothing sealed. Its members but the payload
   * are read from a copy of the value with the payload cut to {@code {}} (so the shape check sees
   * an object there, as it would); the payload's digest is that of its slice. Null for any other
   * value, which {@link #parseTree} then reads whole.
   */
  private static ParsedRecord parsePlain(byte[] value) {
    int[] spans = CanonicalScan.topLevelSpans(value, PAYLOAD_NAME, SIGNATURE_NAME);
    if (spans == null || spans[0] < 0 || spans[3] < 0 || value[spans[0]] != '{') {
      return null;
    }
    byte[] outline = new byte[value.length - (spans[1] - spans[0]) + 2];
    System.arraycopy(value, 0, outline, 0, spans[0]);
    outline[spans[0]] = '{';
    outline[spans[0] + 1] = '}';
    System.arraycopy(value, spans[1], outline, spans[0] + 2, value.length - spans[1]);
    JsonNode tree;
    try {
      tree = Json.readTree(outline);
    } catch (MalformedJsonException e) {
      return null;
    }
    JsonNode statedSeq = tree.path("seq");
    long seq = statedSeq.canConvertToLong() ? statedSeq.asLong() : -1;
    LedgerRecord record;
    try {
      record = RecordShape.check(seq, tree);
    } catch (ChainException e) {
      return null;
    }
    // The ledger's own records are small and their payloads are read (checkpoint, rotation);
    // a payload with sealed parts is checked with them.
    if (record.kind().isLedgerOwn()
        || record.payloadEncoding() != LedgerRecord.PayloadEncoding.JSON
        || !record.sealed().isEmpty()) {
      return null;
    }
    String digest = Sha256.PREFIX + HexFormat.of().formatHex(sha256(value, spans[0], spans[1]));
    return complete(value, record, digest, spans);
  }

  static ParsedRecord parseTree(byte[] value) {
    JsonNode tree;
    try {
      tree = Json.readTree(value);
    } catch (MalformedJsonException e) {
      return refused(value, Reason.NOT_JSON, "value is not JSON: " + e.getMessage());
    }
    if (!Arrays.equals(value, RecordDigests.canonicalOrEmpty(tree))) {
      return refused(value, Reason.NOT_CANONICAL, "value is not RFC 8785 canonical JSON");
    }
    JsonNode statedSeq = tree.path("seq");
    long seq = statedSeq.canConvertToLong() ? statedSeq.asLong() : -1;
    LedgerRecord record;
    try {
      record = RecordShape.check(seq, tree);
    } catch (ChainException e) {
      return refused(value, e.reason(), e.getMessage());
    }
    int[] spans = memberValues(value, PAYLOAD_KEY, SIGNATURE_KEY);
    if (spans == null) {
      // The shape check requires both members; a canonical value that has them has their spans.
      throw new IllegalStateException("a shape-checked canonical record lacks a member span");
    }
    String digest;
    if (!record.sealed().isEmpty()) {
      // As the chain verifier: the digest of a payload with sealed parts is checked only with
      // every part at hand (auditor `sealed`).
      digest = record.payloadDigest();
    } else if (record.payloadEncoding() == LedgerRecord.PayloadEncoding.JSON) {
      digest = Sha256.PREFIX + HexFormat.of().formatHex(sha256(value, spans[0], spans[1]));
    } else {
      try {
        digest = RecordDigests.payloadDigest(seq, record);
      } catch (ChainException e) {
        return refused(value, e.reason(), e.getMessage());
      }
    }
    return complete(value, record, digest, spans);
  }

  private static ParsedRecord complete(
      byte[] value, LedgerRecord record, String digest, int[] spans) {
    // The signature member and the comma before it (it is never first: keyId sorts before it),
    // or the comma after it.
    int from = spans[5];
    int to = spans[4];
    if (value[from - 1] == ',') {
      from--;
    } else {
      to++;
    }
    return new ParsedRecord(
        value, null, null, record, Sha256.digest(value), MerkleHash.leaf(value), digest, from, to);
  }

  /**
   * The spans of the values of top-level members {@code first} and {@code second} (each given with
   * its quotes and colon; {@code first} sorts before {@code second}) in canonical object bytes, in
   * one scan: {value start, value end, member start} of the first, then of the second; null when
   * either is absent. Canonical JSON has no whitespace, and a quote inside a string is escaped.
   */
  static int[] memberValues(byte[] json, byte[] first, byte[] second) {
    int[] spans = new int[6];
    int found = 0;
    byte[] wanted = first;
    int depth = 0;
    boolean inString = false;
    boolean expectKey = false;
    int memberStart = -1;
    int valueStart = -1;
    for (int i = 0; i < json.length; i++) {
      byte b = json[i];
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
        continue;
      }
      if (b == '"') {
        inString = true;
        if (depth == 1 && expectKey) {
          expectKey = false;
          if (regionMatches(json, i, wanted)) {
            memberStart = i;
            valueStart = i + wanted.length;
          }
        }
      } else if (b == '{' || b == '[') {
        depth++;
        expectKey = depth == 1;
      } else if ((b == ',' || b == '}' || b == ']') && depth == 1) {
        if (valueStart >= 0) {
          spans[found * 3] = valueStart;
          spans[found * 3 + 1] = i;
          spans[found * 3 + 2] = memberStart;
          valueStart = -1;
          if (++found == 2) {
            return spans;
          }
          wanted = second;
        }
        expectKey = b == ',';
        if (b != ',') {
          depth--;
        }
      } else if (b == '}' || b == ']') {
        depth--;
      }
    }
    return null;
  }

  private static boolean regionMatches(byte[] json, int at, byte[] expected) {
    return at + expected.length <= json.length
        && Arrays.equals(json, at, at + expected.length, expected, 0, expected.length);
  }

  private static byte[] sha256(byte[] data, int from, int to) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, from, to - from);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  /** Why the value cannot be a record in any position, or null when it passed. */
  public Reason problem() {
    return problem;
  }

  /** The seq the record states; only for a value without a {@link #problem()}. */
  public long seq() {
    return record.seq();
  }

  /** The key id the record names; only for a value without a {@link #problem()}. */
  public String keyId() {
    return record.keyId();
  }

  /** The stored value. */
  public byte[] value() {
    return value;
  }

  /**
   * The bytes the record's signature covers, cut from the stored value: equal to {@link
   * LedgerRecord#signedBytes(JsonNode)} of its tree. Only for a value without a {@link #problem()}.
   */
  public byte[] signedBytes() {
    return signedPart().signedBytes();
  }

  /** The 64 signature bytes (strict canonical base64, checked by the shape check). */
  public byte[] signature() {
    return Base64.getDecoder().decode(record.signature());
  }

  /**
   * What verifying the signature later needs, without the parsed tree (so that records awaiting a
   * checkpoint hold little more than their stored bytes).
   */
  public SignedPart signedPart() {
    return new SignedPart(value, cutFrom, cutTo, record.signature());
  }

  /**
   * A stored record's signature and where, in its stored bytes, the member that carries it is.
   *
   * @param value the stored, canonical record
   * @param cutFrom where the {@code signature} member with its separating comma starts
   * @param cutTo where it ends (exclusive)
   * @param signature the signature in (strict, canonical) base64
   */
  public record SignedPart(byte[] value, int cutFrom, int cutTo, String signature) {

    /** The record's bytes without the signature member: what the signature covers. */
    public byte[] signedBytes() {
      byte[] signed = new byte[value.length - (cutTo - cutFrom)];
      System.arraycopy(value, 0, signed, 0, cutFrom);
      System.arraycopy(value, cutTo, signed, cutFrom, value.length - cutTo);
      return signed;
    }

    /** Whether the signature verifies with {@code key}. */
    public boolean verifiesWith(LedgerPublicKey key) {
      return key.verifies(signedBytes(), Base64.getDecoder().decode(signature));
    }
  }

  String why() {
    return why;
  }

  LedgerRecord record() {
    return record;
  }

  String hash() {
    return hash;
  }

  String payloadDigest() {
    return payloadDigest;
  }

  /** The record's Merkle leaf hash, {@code SHA-256(0x00 || value)}. */
  public byte[] leafHash() {
    return leafHash.clone();
  }

  byte[] leafHashShared() {
    return leafHash;
  }
}
