package dev.tollgate.schemas.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 key that verifies a component's events, named by its key id: lowercase hex SHA-256 of
 * the 32-byte public key (the same naming the ledger uses for its own keys). Read from the PEM
 * {@code PUBLIC KEY} that {@code openssl pkey -pubout} writes.
 */
public final class EventPublicKey {

  private final byte[] raw;
  private final String keyId;
  private final Ed25519Verifier verifier;

  private EventPublicKey(byte[] raw, Ed25519Verifier verifier) {
    this.raw = raw.clone();
    this.keyId = keyIdOf(this.raw);
    this.verifier = verifier;
  }

  /**
   * The key with these 32 bytes; it must pass the key rule of {@link Ed25519Engine} (a canonical
   * encoding of a point in the prime-order subgroup).
   */
  public static EventPublicKey fromRaw(byte[] raw) throws EventKeyException {
    Ed25519Verifier verifier =
        Ed25519Verifier.forKey(raw)
            .orElseThrow(() -> new EventKeyException("not a valid 32-byte Ed25519 public key"));
    return new EventPublicKey(raw, verifier);
  }

  /** The key of an X.509 {@code SubjectPublicKeyInfo} PEM block. */
  public static EventPublicKey fromPem(String pem) throws EventKeyException {
    byte[] der = Pem.decode(pem, "PUBLIC KEY");
    try {
      PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
      byte[] encoded = key.getEncoded();
      // SubjectPublicKeyInfo of Ed25519 (RFC 8410): a fixed 12-byte prefix, then the 32-byte key.
      return fromRaw(
          Arrays.copyOfRange(
              encoded, encoded.length - Ed25519Engine.PUBLIC_KEY_BYTES, encoded.length));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new EventKeyException("not an Ed25519 public key in PEM");
    }
  }

  /** Reads a PEM file. */
  public static EventPublicKey read(Path pemFile) throws EventKeyException {
    try {
      return fromPem(Files.readString(pemFile, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new EventKeyException(
          "cannot read public key " + pemFile + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /**
   * Whether {@code signature} is this key's Ed25519 signature over {@code message}, by the rules of
   * {@link Ed25519Engine}.
   */
  public boolean verifies(byte[] message, byte[] signature) {
    return verifier.verifies(message, signature);
  }

  /** Lowercase hex SHA-256 of the raw key. */
  public String keyId() {
    return keyId;
  }

  /** The 32 raw bytes. */
  public byte[] raw() {
    return raw.clone();
  }

  /** The PEM {@code PUBLIC KEY} block. */
  public String toPem() {
    byte[] der = new byte[Pem.ED25519_SPKI_PREFIX.length + raw.length];
    System.arraycopy(Pem.ED25519_SPKI_PREFIX, 0, der, 0, Pem.ED25519_SPKI_PREFIX.length);
    System.arraycopy(raw, 0, der, Pem.ED25519_SPKI_PREFIX.length, raw.length);
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END PUBLIC KEY-----\n";
  }

  static String keyIdOf(byte[] raw) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EventPublicKey key && Arrays.equals(key.raw, raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "EventPublicKey[" + keyId + "]";
  }
}
