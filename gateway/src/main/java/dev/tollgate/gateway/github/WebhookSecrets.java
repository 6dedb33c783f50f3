package dev.tollgate.gateway.github;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook secrets a delivery may be signed with: one, or several while a secret is rotated.
 *
 * <p>The key bytes never leave this class. The only thing it does with them is tell whether a MAC
 * was made with one of them, in the spirit of Tink's {@code SecretKeyAccess}: code that merely
 * holds a {@code WebhookSecrets} cannot print, log or serialize a secret, and {@link #toString()}
 * says how many there are and nothing else.
 */
public final class WebhookSecrets {

  /** The configuration property that holds the secrets. */
  public static final String PROPERTY = "tollgate.github.webhook-secret";

  /** The environment variable operators set; it maps to {@link #PROPERTY}. */
  public static final String ENVIRONMENT_VARIABLE = "TOLLGATE_GITHUB_WEBHOOK_SECRET";

  static final String HMAC_SHA256 = "HmacSHA256";

  private final List<SecretKeySpec> keys;

  private WebhookSecrets(List<SecretKeySpec> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * Parses a comma-separated list of secrets, each used exactly as written (GitHub signs with the
   * UTF-8 bytes of the secret as entered in the webhook settings).
   *
   * @throws IllegalArgumentException when there is no secret, or an entry is blank or has leading
   *     or trailing whitespace. The message names the entry by position, never by value.
   */
  public static WebhookSecrets parse(String configured) {
    if (configured == null || configured.isBlank()) {
      throw new IllegalArgumentException("no webhook secret is configured");
    }
    String[] entries = configured.split(",", -1);
    List<SecretKeySpec> keys = new ArrayList<>(entries.length);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      String position = "entry " + (i + 1) + " of " + entries.length;
      if (entry.isBlank()) {
        throw new IllegalArgumentException(position + " is blank");
      }
      // A stray space or newline (a secret file written with echo) would silently turn into a
      // different key that never matches; refusing it points at the mistake instead.
      if (!entry.equals(entry.strip())) {
        throw new IllegalArgumentException(
            position + " has leading or trailing whitespace, which would be part of the key");
      }
      keys.add(new SecretKeySpec(entry.getBytes(StandardCharsets.UTF_8), HMAC_SHA256));
    }
    return new WebhookSecrets(keys);
  }

  /** How many secrets are accepted. */
  public int count() {
    return keys.size();
  }

  /**
   * Whether {@code mac} is the HMAC-SHA256 of {@code message} under any of the secrets. Every
   * secret is tried and each comparison is constant-time, so the answer takes the same time
   * whichever secret matched, or none.
   */
  public boolean anySigned(byte[] message, byte[] mac) {
    boolean matched = false;
    for (SecretKeySpec key : keys) {
      matched |= MessageDigest.isEqual(hmacSha256(key, message), mac);
    }
    return matched;
  }

  private static byte[] hmacSha256(SecretKeySpec key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(HMAC_SHA256);
      mac.init(key);
      return mac.doFinal(message);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides " + HMAC_SHA256, e);
    } catch (InvalidKeyException e) {
      // HMAC accepts keys of any length; only an empty key is invalid, and parse rejects it.
      throw new IllegalStateException("HMAC key rejected", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSecrets[" + keys.size() + " secret(s), redacted]";
  }
}
