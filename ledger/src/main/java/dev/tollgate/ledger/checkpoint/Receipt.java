package dev.tollgate.ledger.checkpoint;

import dev.tollgate.ledger.checkpoint.CheckpointException.Reason;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleTree;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An offline receipt for one ledger entry in C2SP tlog-proof form (c2sp.org/tlog-proof):
 *
 * <pre>
 * c2sp.org/tlog-proof@v1
 * index &lt;seq&gt;
 * &lt;base64 inclusion proof hash, leaf's sibling first&gt;
 * ...
 *
 * &lt;the signed checkpoint note, verbatim&gt;
 * </pre>
 *
 * No {@code extra} line is written; one in a receipt read is skipped, since it is not
 * authenticated. The entry itself travels beside the receipt: its leaf bytes are the stored record.
 *
 * @param index the entry's leaf index, its seq
 * @param proof the RFC 9162 inclusion proof in the checkpoint's tree
 * @param checkpoint the signed checkpoint note the proof leads to
 */
public record Receipt(long index, List<byte[]> proof, String checkpoint) {

  /** The first line of every receipt. */
  public static final String HEADER = "c2sp.org/tlog-proof@v1";

  private static final Pattern INDEX = Pattern.compile("index (0|[1-9][0-9]{0,18})");

  public Receipt {
    if (index < 0 || checkpoint == null || checkpoint.isEmpty()) {
      throw new IllegalArgumentException("a receipt has an index and a checkpoint");
    }
    proof = proof.stream().map(byte[]::clone).toList();
    proof.forEach(
        h -> {
          if (h.length != MerkleHash.SIZE) {
            throw new IllegalArgumentException("proof hashes are 32 bytes");
          }
        });
  }

  /**
   * The receipt for leaf {@code index} of {@code tree} against {@code checkpoint}, which must cover
   * it and be a checkpoint of this tree.
   */
  public static Receipt forEntry(MerkleTree tree, long index, Checkpoint checkpoint) {
    if (index >= checkpoint.size()) {
      throw new IllegalArgumentException("entry " + index + " is not covered by " + checkpoint);
    }
    return new Receipt(index, tree.inclusionProof(index, checkpoint.size()), checkpoint.note());
  }

  @Override
  public List<byte[]> proof() {
    return proof.stream().map(byte[]::clone).toList();
  }

  /** The receipt as text. */
  public String format() {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    text.append("index ").append(index).append('\n');
    proof.forEach(h -> text.append(Base64.getEncoder().encodeToString(h)).append('\n'));
    return text.append('\n').append(checkpoint).toString();
  }

  /** Reads a receipt; the checkpoint is only split off here, not yet verified. */
  public static Receipt parse(String text) throws CheckpointException {
    String[] lines = text.split("\n", -1);
    int line = 0;
    if (lines.length < 4 || !lines[line++].equals(HEADER)) {
      throw malformed("a receipt starts with the line " + HEADER);
    }
    if (lines[line].startsWith("extra ")) {
      line++;
    }
    if (!INDEX.matcher(lines[line]).matches()) {
      throw malformed("a receipt names its entry with 'index <decimal>'");
    }
    long index = Long.parseLong(lines[line++].substring("index ".length()));
    List<byte[]> proof = new ArrayList<>();
    for (; line < lines.length && !lines[line].isEmpty(); line++) {
      byte[] hash;
      try {
        hash = Base64.getDecoder().decode(lines[line]);
      } catch (IllegalArgumentException e) {
        throw malformed("inclusion proof line " + (proof.size() + 1) + " is not base64");
      }
      if (hash.length != MerkleHash.SIZE) {
        throw malformed("inclusion proof line " + (proof.size() + 1) + " is not a 32-byte hash");
      }
      proof.add(hash);
    }
    if (line >= lines.length - 1) {
      throw malformed("a receipt ends with an empty line and the checkpoint");
    }
    String checkpoint = String.join("\n", List.of(lines).subList(line + 1, lines.length));
    return new Receipt(index, proof, checkpoint);
  }

  private static CheckpointException malformed(String message) {
    return new CheckpointException(Reason.MALFORMED, message);
  }
}
