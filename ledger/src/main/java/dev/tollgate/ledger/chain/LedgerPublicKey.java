package dev.tollgate.ledger.chain;

import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.signing.Ed25519Engine;
import dev.tollgate.schemas.signing.Ed25519Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 public key that verifies ledger records, named by its key id: lowercase hex SHA-256 of
 * the 32-byte raw key. Auditors hold only these; the PEM form is what {@code openssl pkey -pubout}
 * writes.
 */
public final class LedgerPublicKey {

  /** The DER SubjectPublicKeyInfo of an Ed25519 key (RFC 8410) is this prefix and 32 raw bytes. */
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private static final int RAW_LENGTH = 32;
  private static final String PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String PEM_END = "-----END PUBLIC KEY-----";

  private final byte[] der;
  private final byte[] raw;
  private final String keyId;
  private final Ed25519Verifier verifier;

  private LedgerPublicKey(byte[] der, byte[] raw, Ed25519Verifier verifier) {
    this.der = der;
    this.raw = raw;
    this.keyId = Sha256.hex(raw);
    this.verifier = verifier;
  }

  /**
   * The key from its DER SubjectPublicKeyInfo encoding; the 32-byte key must pass the key rule of
   * {@link Ed25519Engine} (a canonical encoding of a point in the prime-order subgroup).
   */
  public static LedgerPublicKey fromDer(byte[] der) throws PublicKeyFormatException {
    if (der.length != X509_PREFIX.length + RAW_LENGTH
        || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
      throw new PublicKeyFormatException("not an Ed25519 SubjectPublicKeyInfo");
    }
    byte[] raw = Arrays.copyOfRange(der, X509_PREFIX.length, der.length);
    Ed25519Verifier verifier =
        Ed25519Verifier.forKey(raw)
            .orElseThrow(
                () ->
                    new PublicKeyFormatException(
                        "not a valid Ed25519 public key (a canonical point of prime order)"));
    return new LedgerPublicKey(der.clone(), raw, verifier);
  }

  /** The key from its 32-byte RFC 8032 encoding. */
  public static LedgerPublicKey fromRaw(byte[] raw) throws PublicKeyFormatException {
    if (raw == null || raw.length != RAW_LENGTH) {
      throw new PublicKeyFormatException("an Ed25519 public key is 32 bytes");
    }
    byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + RAW_LENGTH);
    System.arraycopy(raw, 0, der, X509_PREFIX.length, RAW_LENGTH);
    return fromDer(der);
  }

  /** The key from a PEM {@code PUBLIC KEY} block. */
  public static LedgerPublicKey fromPem(String pem) throws PublicKeyFormatException {
    int begin = pem.indexOf(PEM_BEGIN);
    int end = pem.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw new PublicKeyFormatException("no PEM 'PUBLIC KEY' block");
    }
    String body = pem.substring(begin + PEM_BEGIN.length(), end).replaceAll("\\s", "");
    try {
      return fromDer(Base64.getDecoder().decode(body));
    } catch (IllegalArgumentException e) {
      throw new PublicKeyFormatException("PEM body is not base64");
    }
  }

  /** The key from a PEM file. */
  public static LedgerPublicKey read(Path pemFile) throws IOException, PublicKeyFormatException {
    try {
      return fromPem(Files.readString(pemFile, StandardCharsets.US_ASCII));
    } catch (PublicKeyFormatException e) {
      throw new PublicKeyFormatException(pemFile + ": " + e.getMessage());
    }
  }

  /** The key for a JDK public key, which must be Ed25519. */
  public static LedgerPublicKey of(PublicKey key) throws PublicKeyFormatException {
    return fromDer(key.getEncoded());
  }

  /** The 32-byte RFC 8032 encoding of the key, as signed notes and their key IDs use it. */
  public byte[] raw() {
    return raw.clone();
  }

  /** Lowercase hex SHA-256 of the 32-byte raw public key, as records carry it. */
  public String keyId() {
    return keyId;
  }

  /** PEM {@code PUBLIC KEY} block, as {@code openssl pkey -pubout} writes it. */
  public String toPem() {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return PEM_BEGIN + "\n" + body + "\n" + PEM_END + "\n";
  }

  /**
   * Whether the signature is this key's Ed25519 signature over the message, by the rules of {@link
   * Ed25519Engine} (libsodium's, whichever engine runs).
   */
  public boolean verifies(byte[] message, byte[] signature) {
    return verifier.verifies(message, signature);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LedgerPublicKey && ((LedgerPublicKey) other).keyId.equals(keyId);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  @Override
  public String toString() {
    return "LedgerPublicKey[" + keyId + "]";
  }
}
