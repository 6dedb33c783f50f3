package dev.tollgate.ledger.checkpoint;

import dev.tollgate.ledger.checkpoint.CheckpointException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note (c2sp.org/signed-note): a newline-terminated text, a blank line, and one or
 * more signature lines {@code — <key name> <base64(4-byte key ID || signature)>}. Parsing is
 * strict: valid UTF-8, no control characters but newline, well-formed signature lines, at most
 * {@value #MAX_SIGNATURES} of them.
 *
 * @param text the signed text, final newline included
 * @param signatures the signature lines in order
 */
public record SignedNote(String text, List<Signature> signatures) {

  /** More signatures than this make a note malformed (the spec requires accepting at least 16). */
  public static final int MAX_SIGNATURES = 100;

  private static final String DASH = "\u2014 ";

  public SignedNote {
    requireText(text);
    signatures = List.copyOf(signatures);
  }

  /**
   * One signature line.
   *
   * @param name the key name
   * @param keyId the 4-byte key ID
   * @param signature the signature bytes after the key ID
   */
  public record Signature(String name, byte[] keyId, byte[] signature) {
    public Signature {
      NoteKey.requireName(name);
      if (keyId == null || keyId.length != 4 || signature == null || signature.length == 0) {
        throw new IllegalArgumentException("a note signature has a 4-byte key ID and a signature");
      }
      keyId = keyId.clone();
      signature = signature.clone();
    }

    @Override
    public byte[] keyId() {
      return keyId.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }

    /** The line as it appears in the note, newline included. */
    public String line() {
      byte[] blob = new byte[4 + signature.length];
      System.arraycopy(keyId, 0, blob, 0, 4);
      System.arraycopy(signature, 0, blob, 4, signature.length);
      return DASH + name + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    }
  }

  /** Signs the text with the key, through the signer that holds its private half. */
  public static SignedNote sign(String text, NoteKey key, NoteSigner signer) {
    requireText(text);
    if (!signer.publicKey().equals(key.publicKey())) {
      throw new IllegalArgumentException("the signer does not hold the private half of " + key);
    }
    byte[] signature = signer.signNote(text.getBytes(StandardCharsets.UTF_8));
    return new SignedNote(text, List.of(new Signature(key.name(), key.keyId(), signature)));
  }

  /** Parses the UTF-8 bytes of a signed note. */
  public static SignedNote parse(byte[] note) throws CheckpointException {
    try {
      return parse(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(note))
              .toString());
    } catch (CharacterCodingException e) {
      throw malformed("a signed note is UTF-8");
    }
  }

  /** Parses a signed note. */
  public static SignedNote parse(String note) throws CheckpointException {
    if (note.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
      throw malformed("a signed note has no control characters but newline");
    }
    int split = note.lastIndexOf("\n\n");
    if (split < 0 || split + 2 >= note.length() || !note.endsWith("\n")) {
      throw malformed("a signed note is text, a blank line and newline-terminated signature lines");
    }
    String text = note.substring(0, split + 1);
    String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw malformed("a signed note has at most " + MAX_SIGNATURES + " signatures");
    }
    List<Signature> signatures = new ArrayList<>();
    for (String line : lines) {
      signatures.add(signatureLine(line));
    }
    return new SignedNote(text, signatures);
  }

  /** The note as text: the signed text, a blank line and the signature lines. */
  public String format() {
    StringBuilder note = new StringBuilder(text).append('\n');
    signatures.forEach(s -> note.append(s.line()));
    return note.toString();
  }

  /**
   * Checks the note against one trusted key as the spec says: signatures by other keys (other name
   * or other key ID) are ignored; every signature by this key must verify, and there must be one.
   */
  public void verify(NoteKey key) throws CheckpointException {
    byte[] signed = text.getBytes(StandardCharsets.UTF_8);
    boolean verified = false;
    for (Signature signature : signatures) {
      if (signature.name().equals(key.name()) && Arrays.equals(signature.keyId, key.keyId())) {
        if (!key.verifies(signed, signature.signature)) {
          throw new CheckpointException(
              Reason.BAD_SIGNATURE, "the signature by " + key + " does not verify");
        }
        verified = true;
      }
    }
    if (!verified) {
      throw new CheckpointException(
          Reason.BAD_SIGNATURE, "the note carries no signature by " + key);
    }
  }

  private static Signature signatureLine(String line) throws CheckpointException {
    if (!line.startsWith(DASH)) {
      throw malformed("a signature line starts with an em dash and a space");
    }
    String[] parts = line.substring(DASH.length()).split(" ", -1);
    if (parts.length != 2 || !NoteKey.isName(parts[0])) {
      throw malformed("a signature line is '\u2014 <key name> <base64>'");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(parts[1]);
    } catch (IllegalArgumentException e) {
      throw malformed("a note signature is base64");
    }
    if (blob.length < 5) {
      throw malformed("a note signature is a 4-byte key ID and a signature");
    }
    return new Signature(
        parts[0], Arrays.copyOf(blob, 4), Arrays.copyOfRange(blob, 4, blob.length));
  }

  private static void requireText(String text) {
    if (text == null
        || text.isEmpty()
        || !text.endsWith("\n")
        || text.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
      throw new IllegalArgumentException(
          "note text is non-empty, newline-terminated, without control characters but newline");
    }
  }

  private static CheckpointException malformed(String message) {
    return new CheckpointException(Reason.MALFORMED, message);
  }
}
