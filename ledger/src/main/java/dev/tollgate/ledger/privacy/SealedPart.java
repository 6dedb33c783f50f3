package dev.tollgate.ledger.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Sha256;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * One sealed value as the sealed store keeps it: what a record's commitment stands for. Its JSON
 * form (RFC 8785, file {@code <hex>.json}) is {@code {"commitment", "content", "eventId",
 * "pointer", "salt"}}.
 *
 * @param commitment {@code sha256:} + hex SHA-256(salt || RFC 8785 of content)
 * @param eventId the event whose payload held it
 * @param pointer where it was in the payload (RFC 6901)
 * @param salt 32 random bytes in padded base64
 * @param content the value
 */
public record SealedPart(
    String commitment, String eventId, String pointer, String salt, JsonNode content) {

  /** Bytes of salt. */
  public static final int SALT_BYTES = 32;

  private static final Pattern SALT = Pattern.compile("[A-Za-z0-9+/]{43}=");

  public SealedPart {
    Sha256.requireDigest(commitment, "commitment");
    if (eventId == null || eventId.isEmpty() || pointer == null || !pointer.startsWith("/")) {
      throw new IllegalArgumentException("a sealed part names its event and its pointer");
    }
    if (salt == null || !SALT.matcher(salt).matches()) {
      throw new IllegalArgumentException("salt is 32 bytes in padded base64");
    }
    if (content == null) {
      throw new IllegalArgumentException("content is required");
    }
  }

  /** A sealed part of {@code content} under a fresh commitment over {@code salt}. */
  public static SealedPart seal(String eventId, String pointer, byte[] salt, JsonNode content) {
    if (salt.length != SALT_BYTES) {
      throw new IllegalArgumentException("salt is " + SALT_BYTES + " bytes");
    }
    return new SealedPart(
        commitment(salt, content),
        eventId,
        pointer,
        Base64.getEncoder().encodeToString(salt),
        content);
  }

  /** {@code sha256:} + hex SHA-256(salt || RFC 8785 canonical JSON of content). */
  public static String commitment(byte[] salt, JsonNode content) {
    byte[] canonical = CanonicalJson.bytes(content);
    byte[] input = new byte[salt.length + canonical.length];
    System.arraycopy(salt, 0, input, 0, salt.length);
    System.arraycopy(canonical, 0, input, salt.length, canonical.length);
    return Sha256.digest(input);
  }

  /**
   * Whether salt and content hash to the commitment, compared in constant time. A salt that is not
   * the one spelling of its bytes never matches.
   */
  public boolean matchesCommitment() {
    byte[] raw = Base64.getDecoder().decode(salt);
    if (!Base64.getEncoder().encodeToString(raw).equals(salt) || raw.length != SALT_BYTES) {
      return false;
    }
    return MessageDigest.isEqual(
        commitment(raw, content).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        commitment.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** Names the commitment and where it was, never the content. */
  @Override
  public String toString() {
    return "SealedPart[" + commitment + " of " + eventId + " at " + pointer + "]";
  }
}
