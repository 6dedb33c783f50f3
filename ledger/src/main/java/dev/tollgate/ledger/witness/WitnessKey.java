package dev.tollgate.ledger.witness;

import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.PublicKeyFormatException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A witness's cosignature verifier key (c2sp.org/tlog-cosignature): a key name and an Ed25519
 * public key, written {@code <name>+<hex key ID>+<base64(0x04 || public key)>}. The key ID is
 * {@code SHA-256(name || 0x0A || 0x04 || public key)[:4]}: the cosignature type byte 0x04, not the
 * plain Ed25519 note type 0x01, so a witness's cosignature can never pass as a log signature.
 */
public final class WitnessKey {

  /** Signature type byte of cosignature/v1 in the signed-note registry. */
  static final byte COSIGNATURE_V1 = 0x04;

  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{8}");

  private final String name;
  private final LedgerPublicKey publicKey;
  private final byte[] keyId;

  private WitnessKey(String name, LedgerPublicKey publicKey) {
    this.name = name;
    this.publicKey = publicKey;
    this.keyId = keyId(name, publicKey);
  }

  /** The witness key with this name and Ed25519 public key. */
  public static WitnessKey of(String name, LedgerPublicKey publicKey) {
    if (!isName(name)) {
      throw new IllegalArgumentException("a witness name is non-empty, without spaces or '+'");
    }
    return new WitnessKey(name, publicKey);
  }

  /**
   * Reads a verifier key string. The key ID it states must be the one derived from the rest, and
   * base64 must be canonical, so one key has exactly one spelling.
   */
  public static WitnessKey parse(String vkey) throws WitnessException {
    String[] parts = vkey.strip().split("\\+", 3);
    if (parts.length != 3 || !isName(parts[0]) || !KEY_ID.matcher(parts[1]).matches()) {
      throw malformed("a witness key is <name>+<8 hex digits>+<base64>");
    }
    byte[] encoded;
    try {
      encoded = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw malformed("the key material of witness key " + parts[0] + " is not base64");
    }
    if (!Base64.getEncoder().encodeToString(encoded).equals(parts[2])) {
      throw malformed("the key material of witness key " + parts[0] + " is not canonical base64");
    }
    if (encoded.length != 33 || encoded[0] != COSIGNATURE_V1) {
      throw malformed(
          "witness key " + parts[0] + " is not a cosignature/v1 (type 0x04) Ed25519 key");
    }
    WitnessKey key;
    try {
      key = new WitnessKey(parts[0], LedgerPublicKey.fromRaw(Arrays.copyOfRange(encoded, 1, 33)));
    } catch (PublicKeyFormatException e) {
      throw malformed("witness key " + parts[0] + ": " + e.getMessage());
    }
    if (!key.keyIdHex().equals(parts[1])) {
      throw malformed(
          "witness key "
              + parts[0]
              + " states key ID "
              + parts[1]
              + " but derives "
              + key.keyIdHex());
    }
    return key;
  }

  /** The witness's name as its cosignature lines carry it. */
  public String name() {
    return name;
  }

  /** The Ed25519 public key. */
  public LedgerPublicKey publicKey() {
    return publicKey;
  }

  /** The 4-byte key ID. */
  public byte[] keyId() {
    return keyId.clone();
  }

  /** The key ID as 8 lowercase hex digits. */
  public String keyIdHex() {
    return HexFormat.of().formatHex(keyId);
  }

  /** Whether a signature line's name and key ID are this key's. */
  boolean names(String lineName, byte[] lineKeyId) {
    return name.equals(lineName) && MessageDigest.isEqual(keyId, lineKeyId);
  }

  /** The verifier key string. */
  public String vkey() {
    byte[] encoded = new byte[33];
    encoded[0] = COSIGNATURE_V1;
    System.arraycopy(publicKey.raw(), 0, encoded, 1, 32);
    return name + "+" + keyIdHex() + "+" + Base64.getEncoder().encodeToString(encoded);
  }

  private static boolean isName(String name) {
    return name != null
        && !name.isEmpty()
        && name.codePoints()
            .noneMatch(
                c ->
                    c == '+'
                        || c < 0x20
                        || c == 0x7f
                        || Character.isWhitespace(c)
                        || Character.isSpaceChar(c));
  }

  private static byte[] keyId(String name, LedgerPublicKey publicKey) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(name.getBytes(StandardCharsets.UTF_8));
      sha256.update((byte) '\n');
      sha256.update(COSIGNATURE_V1);
      sha256.update(publicKey.raw());
      return Arrays.copyOf(sha256.digest(), 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  private static WitnessException malformed(String message) {
    return new WitnessException(WitnessException.Reason.MALFORMED_KEY, message);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WitnessKey key
        && key.name.equals(name)
        && key.publicKey.equals(publicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "WitnessKey[" + name + "+" + keyIdHex() + "]";
  }
}
