package dev.tollgate.verifier.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 lowercase hex>}. Only SHA-256 is accepted: it is what OCI
 * registries and cosign use, and accepting weaker algorithms would let a digest pin less than it
 * claims.
 */
public record Digest(String hex) {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("a sha256 digest is 64 lowercase hex characters");
    }
  }

  /** Parses {@code sha256:<hex>}. */
  public static Digest parse(String value) throws OciException {
    if (value == null
        || !value.startsWith("sha256:")
        || !HEX.matcher(value.substring(7)).matches()) {
      throw new OciException(
          OciReason.INVALID_REFERENCE,
          "not a sha256 digest: " + abbreviate(value),
          Map.of("digest", String.valueOf(abbreviate(value))));
    }
    return new Digest(value.substring(7));
  }

  /** The SHA-256 digest of these bytes. */
  public static Digest of(byte[] content) {
    return new Digest(HexFormat.of().formatHex(sha256().digest(content)));
  }

  /** A fresh SHA-256 {@link MessageDigest}; every JDK has one. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** The raw 32 bytes. */
  public byte[] bytes() {
    return HexFormat.of().parseHex(hex);
  }

  /** The tag cosign derives from this digest: {@code sha256-<hex>}. */
  public String tagPrefix() {
    return "sha256-" + hex;
  }

  /** Checks that content hashes to this digest. */
  public void verify(String what, byte[] content) throws DigestMismatchException {
    Digest actual = of(content);
    if (!actual.equals(this)) {
      throw new DigestMismatchException(what, this, actual);
    }
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }

  private static String abbreviate(String value) {
    return value == null || value.length() <= 80 ? value : value.substring(0, 80) + "...";
  }
}
