package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A record's RFC 8785 bytes put together from the canonical form of each top-level member, so the
 * payload, the bulk of a record, is written once per event however many times the record's bytes
 * are needed (signed bytes, then the stored value). RFC 8785 writes an object as its members sorted
 * by the UTF-16 code units of their names ({@link String#compareTo} order), each name as a JSON
 * string and each value in its own canonical form: assembling members canonicalized one by one is
 * canonicalizing the whole (RecordBytesTest compares the two on every kind of record).
 */
final class RecordBytes {

  private static final String PAYLOAD = "payload";

  /** Members' names as JSON strings; a record has a fixed set of them. */
  private static final Map<String, byte[]> NAMES = new ConcurrentHashMap<>();

  private RecordBytes() {}

  /**
   * Signs {@code unsigned} (a record's tree without {@code signature}) and returns its stored
   * bytes, setting {@code signature} in the tree. {@code payload} is the canonical form of the
   * tree's {@code payload} member when the caller has it, else null.
   */
  static byte[] sign(ObjectNode unsigned, byte[] payload, RecordSigner signer) {
    if (unsigned.has(LedgerRecord.SIGNATURE_FIELD)) {
      throw new IllegalArgumentException("the record is signed already");
    }
    TreeMap<String, byte[]> members = new TreeMap<>();
    for (Map.Entry<String, JsonNode> member : unsigned.properties()) {
      String name = member.getKey();
      byte[] value =
          name.equals(PAYLOAD) && payload != null
              ? payload
              : CanonicalJson.bytes(member.getValue());
      members.put(name, value);
    }
    byte[] signature = signer.sign(object(members));
    String encoded = Base64.getEncoder().encodeToString(signature);
    unsigned.put(LedgerRecord.SIGNATURE_FIELD, encoded);
    members.put(LedgerRecord.SIGNATURE_FIELD, CanonicalJson.bytes(TextNode.valueOf(encoded)));
    return object(members);
  }

  private static byte[] object(TreeMap<String, byte[]> members) {
    // '{' and '}', and one ':' per member and one ',' between members.
    int size = 2 * members.size() + 1;
    byte[][] names = new byte[members.size()][];
    int i = 0;
    for (Map.Entry<String, byte[]> member : members.entrySet()) {
      names[i] = NAMES.computeIfAbsent(member.getKey(), RecordBytes::name);
      size += names[i++].length + member.getValue().length;
    }
    byte[] out = new byte[size];
    int at = 0;
    out[at++] = '{';
    i = 0;
    for (byte[] value : members.values()) {
      if (i > 0) {
        out[at++] = ',';
      }
      byte[] name = names[i++];
      System.arraycopy(name, 0, out, at, name.length);
      at += name.length;
      out[at++] = ':';
      System.arraycopy(value, 0, out, at, value.length);
      at += value.length;
    }
    out[at] = '}';
    return out;
  }

  private static byte[] name(String name) {
    return CanonicalJson.bytes(TextNode.valueOf(name));
  }
}
