package dev.tollgate.schemas.json;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 digests in the OCI descriptor form {@code sha256:<lowercase hex>}. */
public final class Sha256 {

  /** The prefix every digest string carries. */
  public static final String PREFIX = "sha256:";

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private Sha256() {}

  /** The raw 32-byte digest. */
  public static byte[] hash(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  /** Lowercase hex of the digest, without prefix. */
  public static String hex(byte[] data) {
    return HexFormat.of().formatHex(hash(data));
  }

  /** {@code sha256:<hex>} of the data. */
  public static String digest(byte[] data) {
    return PREFIX + hex(data);
  }

  /** Whether the string is a well-formed digest. */
  public static boolean isDigest(String value) {
    return value != null && DIGEST.matcher(value).matches();
  }

  /** Returns the value, or throws if it is not a well-formed digest. */
  public static String requireDigest(String value, String what) {
    if (!isDigest(value)) {
      throw new IllegalArgumentException(what + " must be sha256:<64 lowercase hex>");
    }
    return value;
  }
}
