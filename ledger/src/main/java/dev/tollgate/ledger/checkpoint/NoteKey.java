package dev.tollgate.ledger.checkpoint;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import dev.tollgate.ledger.checkpoint.CheckpointException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 signed-note key: a key name and a public key, and the key ID the C2SP signed-note spec
 * derives from both, {@code SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4]}. Its verifier
 * key string {@code <name>+<hex key ID>+<base64(0x01 || public key)>} is what note tools
 * (golang.org/x/mod/sumdb/note and friends) take as a trusted key.
 */
public final class NoteKey {

  /** Signature type byte of Ed25519 in the signed-note spec. */
  static final byte ED25519 = 0x01;

  private final String name;
  private final LedgerPublicKey publicKey;
  private final byte[] keyId;

  private NoteKey(String name, LedgerPublicKey publicKey) {
    this.name = name;
    this.publicKey = publicKey;
    this.keyId = keyId(name, publicKey);
  }

  /** The note key of this public key under this key name. */
  public static NoteKey of(String name, LedgerPublicKey publicKey) {
    requireName(name);
    return new NoteKey(name, publicKey);
  }

  /** Reads a verifier key string; the key ID it states must be the one derived from the rest. */
  public static NoteKey parse(String vkey) throws CheckpointException {
    // The base64 key material may itself contain '+': split off name and key ID only.
    String[] parts = vkey.split("\\+", 3);
    if (parts.length != 3 || !isName(parts[0]) || !parts[1].matches("[0-9a-f]{8}")) {
      throw new CheckpointException(Reason.MALFORMED, "not a verifier key <name>+<hex>+<base64>");
    }
    byte[] encoded;
    try {
      encoded = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(Reason.MALFORMED, "verifier key material is not base64");
    }
    if (encoded.length != 33 || encoded[0] != ED25519) {
      throw new CheckpointException(Reason.MALFORMED, "verifier key is not an Ed25519 key");
    }
    NoteKey key;
    try {
      key = new NoteKey(parts[0], LedgerPublicKey.fromRaw(Arrays.copyOfRange(encoded, 1, 33)));
    } catch (PublicKeyFormatException e) {
      throw new CheckpointException(Reason.MALFORMED, "verifier key: " + e.getMessage());
    }
    if (!key.keyIdHex().equals(parts[1])) {
      throw new CheckpointException(
          Reason.MALFORMED,
          "verifier key states key ID " + parts[1] + " but derives " + key.keyIdHex());
    }
    return key;
  }

  /** The key name, which for a checkpoint key is the log's origin. */
  public String name() {
    return name;
  }

  /** The Ed25519 public key. */
  public LedgerPublicKey publicKey() {
    return publicKey;
  }

  /** The 4-byte key ID, big-endian. */
  public byte[] keyId() {
    return keyId.clone();
  }

  /** The key ID as 8 lowercase hex digits. */
  public String keyIdHex() {
    return HexFormat.of().formatHex(keyId);
  }

  /** The verifier key string {@code <name>+<hex key ID>+<base64(0x01 || public key)>}. */
  public String vkey() {
    byte[] encoded = new byte[33];
    encoded[0] = ED25519;
    System.arraycopy(publicKey.raw(), 0, encoded, 1, 32);
    return name + "+" + keyIdHex() + "+" + Base64.getEncoder().encodeToString(encoded);
  }

  /** Whether {@code signature} is this key's Ed25519 signature over the note text. */
  boolean verifies(byte[] text, byte[] signature) {
    return publicKey.verifies(text, signature);
  }

  /** Whether the name may be a signed-note key name: non-empty, no spaces, no '+'. */
  static boolean isName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    return name.codePoints()
        .noneMatch(
            c ->
                c == '+'
                    || c < 0x20
                    || c == 0x7f
                    || Character.isWhitespace(c)
                    || Character.isSpaceChar(c));
  }

  static void requireName(String name) {
    if (!isName(name)) {
      throw new IllegalArgumentException(
          "a note key name (checkpoint origin) is non-empty, without spaces or '+'");
    }
  }

  private static byte[] keyId(String name, LedgerPublicKey publicKey) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(name.getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) '\n');
      sha256.update(ED25519);
      sha256.update(publicKey.raw());
      return Arrays.copyOf(sha256.digest(), 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NoteKey
        && ((NoteKey) other).name.equals(name)
        && ((NoteKey) other).publicKey.equals(publicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "NoteKey[" + name + "+" + keyIdHex() + "]";
  }
}
