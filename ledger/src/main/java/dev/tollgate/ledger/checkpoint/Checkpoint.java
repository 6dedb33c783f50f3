package dev.tollgate.ledger.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.checkpoint.CheckpointException.Reason;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A signed checkpoint of the ledger's Merkle tree: a C2SP tlog-checkpoint body ({@code <origin>\n
 * <size>\n<base64 root hash>\n}) in a C2SP signed note by the ledger key, whose key name is the
 * origin. In the ledger it is the payload of a {@code checkpoint} record: {@code {"origin": ...,
 * "size": ..., "rootHash": "sha256:<hex>", "note": "<the signed note>"}}.
 *
 * @param origin the log's origin line, also the note key name
 * @param size the tree size it covers
 * @param rootHash the 32-byte root hash of the tree of that size
 * @param note the whole signed note, as served and as stored
 */
public record Checkpoint(String origin, long size, byte[] rootHash, String note) {

  private static final Set<String> PAYLOAD_FIELDS =
      Set.of("origin", "size", "rootHash", "note", SourceAccounting.SOURCES_FIELD);
  private static final Pattern SIZE = Pattern.compile("0|[1-9][0-9]{0,18}");

  public Checkpoint {
    NoteKey.requireName(origin);
    if (size < 0 || rootHash == null || rootHash.length != MerkleHash.SIZE || note == null) {
      throw new IllegalArgumentException("a checkpoint has a size, a 32-byte root and a note");
    }
    rootHash = rootHash.clone();
  }

  /** The checkpoint body, the text the note signs: origin, size and base64 root, one per line. */
  public static String body(String origin, long size, byte[] rootHash) {
    return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
  }

  /** Signs a checkpoint of the tree with this root at this size. */
  public static Checkpoint sign(NoteKey key, long size, byte[] rootHash, NoteSigner signer) {
    SignedNote note = SignedNote.sign(body(key.name(), size, rootHash), key, signer);
    return new Checkpoint(key.name(), size, rootHash, note.format());
  }

  /**
   * Opens a signed checkpoint note: the note must carry a verifying signature by {@code key}, whose
   * name is the origin, and its text must be a checkpoint body of that origin. Extension lines
   * after the root hash are allowed by tlog-checkpoint and ignored here.
   */
  public static Checkpoint open(String note, NoteKey key) throws CheckpointException {
    SignedNote signed = SignedNote.parse(note);
    signed.verify(key);
    String[] lines = signed.text().split("\n", -1);
    if (lines.length < 4 || !lines[0].equals(key.name())) {
      throw new CheckpointException(
          Reason.MALFORMED, "the note is not a checkpoint of origin " + key.name());
    }
    if (!SIZE.matcher(lines[1]).matches()) {
      throw new CheckpointException(Reason.MALFORMED, "the checkpoint size is not a decimal");
    }
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(Reason.MALFORMED, "the checkpoint root hash is not base64");
    }
    if (root.length != MerkleHash.SIZE
        || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
      throw new CheckpointException(
          Reason.MALFORMED, "the checkpoint root hash is not 32 bytes in padded base64");
    }
    return new Checkpoint(key.name(), Long.parseLong(lines[1]), root, note);
  }

  /**
   * Reads the payload of a checkpoint record and checks it all: exactly the four members, a note
   * signed by {@code key} (named by the payload's origin) whose text is exactly this ledger's
   * checkpoint body, and {@code origin}, {@code size} and {@code rootHash} equal to the note's.
   */
  public static Checkpoint fromPayload(JsonNode payload, NoteKey key) throws CheckpointException {
    if (payload == null || !payload.isObject()) {
      throw new CheckpointException(Reason.MALFORMED, "a checkpoint payload is an object");
    }
    for (Iterator<String> names = payload.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!PAYLOAD_FIELDS.contains(name)) {
        throw new CheckpointException(Reason.MALFORMED, "unknown payload member '" + name + "'");
      }
    }
    JsonNode origin = payload.get("origin");
    JsonNode size = payload.get("size");
    JsonNode rootHash = payload.get("rootHash");
    JsonNode note = payload.get("note");
    if (origin == null
        || !origin.isTextual()
        || size == null
        || !size.isIntegralNumber()
        || !size.canConvertToLong()
        || rootHash == null
        || !rootHash.isTextual()
        || !Sha256.isDigest(rootHash.asText())
        || note == null
        || !note.isTextual()) {
      throw new CheckpointException(
          Reason.MALFORMED, "a checkpoint payload has origin, size, rootHash and note");
    }
    if (!origin.asText().equals(key.name())) {
      throw new CheckpointException(
          Reason.MALFORMED, "origin " + origin.asText() + " is not " + key.name());
    }
    Checkpoint checkpoint = open(note.asText(), key);
    String signedText = SignedNote.parse(checkpoint.note()).text();
    if (!signedText.equals(body(checkpoint.origin(), checkpoint.size(), checkpoint.rootHash))) {
      throw new CheckpointException(
          Reason.MALFORMED, "the note text is not exactly origin, size and root hash");
    }
    if (checkpoint.size() != size.asLong() || !checkpoint.rootDigest().equals(rootHash.asText())) {
      throw new CheckpointException(
          Reason.MALFORMED, "size and rootHash of the payload differ from the signed note's");
    }
    return checkpoint;
  }

  /** The payload of the checkpoint record that stores this checkpoint. */
  public JsonNode toPayload() {
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.put("origin", origin);
    payload.put("size", size);
    payload.put("rootHash", rootDigest());
    payload.put("note", note);
    return payload;
  }

  /** The root hash as {@code sha256:<lowercase hex>}. */
  public String rootDigest() {
    return digestOf(rootHash);
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Checkpoint && ((Checkpoint) other).note.equals(note);
  }

  @Override
  public int hashCode() {
    return note.hashCode();
  }

  @Override
  public String toString() {
    return "Checkpoint[" + origin + ", size " + size + ", " + rootDigest() + "]";
  }

  /** A root hash as {@code sha256:<lowercase hex>}. */
  public static String digestOf(byte[] rootHash) {
    return Sha256.PREFIX + HexFormat.of().formatHex(rootHash);
  }
}
