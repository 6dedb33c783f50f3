package dev.tollgate.gateway.github;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook secrets a delivery may be signed with: one, or several while a secret is rotated,
 * each with an optional not-after instant past which it no longer verifies anything, and an
 * optional hook id it is bound to: a bound secret verifies only deliveries whose {@code
 * X-GitHub-Hook-ID} is that id, so a secret leaked from one hook cannot sign deliveries claiming to
 * come from another.
 *
 * <p>The key bytes never leave this class. The only thing it does with them is tell whether a MAC
 * was made with one of them, in the spirit of Tink's {@code SecretKeyAccess}: code that merely
 * holds a {@code WebhookSecrets} cannot print, log or serialize a secret, and {@link #toString()}
 * says how many there are and nothing else.
 */
public final class WebhookSecrets {

  /** The configuration property that holds the secrets. */
  public static final String PROPERTY = "tollgate.github.webhook-secret";

  /**
   * The indexed form, one secret per index: {@code tollgate.github.webhook-secrets[0].value} and
   * optionally {@code tollgate.github.webhook-secrets[0].not-after} and {@code
   * tollgate.github.webhook-secrets[0].hook-id}; nothing in the value is parsed.
   */
  public static final String INDEXED_PROPERTY = "tollgate.github.webhook-secrets";

  /** The environment variable operators set; it maps to {@link #PROPERTY}. */
  public static final String ENVIRONMENT_VARIABLE = "TOLLGATE_GITHUB_WEBHOOK_SECRET";

  static final String HMAC_SHA256 = "HmacSHA256";

  /**
   * {@code <secret>@<instant>}: what follows the last '@' is a not-after when it starts like an
   * ISO-8601 date-time, so a secret that merely contains '@' is still read whole.
   */
  private static final Pattern WITH_NOT_AFTER =
      Pattern.compile("(.+)@([0-9]{4}-[0-9]{2}-[0-9]{2}T[^@]*)", Pattern.DOTALL);

  private final List<Key> keys;

  /** GitHub's hook ids are decimal (as {@code DeliveryHeaders} reads them). */
  private static final Pattern HOOK_ID = Pattern.compile("[0-9]{1,20}");

  /** One secret, when it stops verifying (null: never), and the hook it is bound to (null: any). */
  private record Key(SecretKeySpec spec, Instant notAfter, String hookId) {
    boolean activeAt(Instant now) {
      return notAfter == null || !now.isAfter(notAfter);
    }

    /** Whether a delivery claiming {@code deliveryHookId} (null: none) may verify under it. */
    boolean covers(String deliveryHookId) {
      return hookId == null || hookId.equals(deliveryHookId);
    }

    @Override
    public String toString() {
      return "Key[redacted, notAfter=" + notAfter + ", hookId=" + hookId + "]";
    }
  }

  private WebhookSecrets(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * One configured secret, its optional not-after and optional hook id, before it becomes a key.
   * Prints no secret.
   *
   * @param hookId the GitHub hook id the secret is bound to, or null for any hook
   * @param position how the entry is named in errors, e.g. "entry 2 of 3", never by value
   */
  public record Entry(String secret, Instant notAfter, String hookId, String position) {

    /** An entry bound to no hook. */
    public Entry(String secret, Instant notAfter, String position) {
      this(secret, notAfter, null, position);
    }

    @Override
    public String toString() {
      return "Entry[" + position + ", redacted, notAfter=" + notAfter + ", hookId=" + hookId + "]";
    }
  }

  /**
   * The secrets of these entries, each used exactly as given.
   *
   * @throws IllegalArgumentException when there is none, or an entry is blank or has leading or
   *     trailing whitespace; the message names the entry by position, never by value
   */
  public static WebhookSecrets of(List<Entry> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no webhook secret is configured");
    }
    List<Key> keys = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      String secret = entry.secret();
      if (secret == null || secret.isBlank()) {
        throw new IllegalArgumentException(entry.position() + " is blank");
      }
      // A stray space or newline (a secret file written with echo) would silently turn into a
      // different key that never matches; refusing it points at the mistake instead.
      if (!secret.equals(secret.strip())) {
        throw new IllegalArgumentException(
            entry.position()
                + " has leading or trailing whitespace, which would be part of the key");
      }
      if (entry.hookId() != null && !HOOK_ID.matcher(entry.hookId()).matches()) {
        throw new IllegalArgumentException(
            entry.position()
                + " has a hook id that is not a decimal number (GitHub's hook ids are)");
      }
      keys.add(
          new Key(
              new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_SHA256),
              entry.notAfter(),
              entry.hookId()));
    }
    return new WebhookSecrets(keys);
  }

  /**
   * Parses a comma-separated list of secrets, each used exactly as written (GitHub signs with the
   * UTF-8 bytes of the secret as entered in the webhook settings). An entry may end in
   * {@code @<ISO-8601 instant>}, e.g. {@code old-secret@2026-12-01T00:00:00Z}: the secret verifies
   * nothing after that instant.
   *
   * @throws IllegalArgumentException when there is no secret, or an entry is blank, has leading or
   *     trailing whitespace, or a not-after that is not an instant. The message names the entry by
   *     position, never by value.
   */
  public static WebhookSecrets parse(String configured) {
    if (configured == null || configured.isBlank()) {
      throw new IllegalArgumentException("no webhook secret is configured");
    }
    String[] entries = configured.split(",", -1);
    List<Entry> parsed = new ArrayList<>(entries.length);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      String position = "entry " + (i + 1) + " of " + entries.length;
      Instant notAfter = null;
      Matcher dated = WITH_NOT_AFTER.matcher(entry);
      if (dated.matches()) {
        try {
          notAfter = Instant.parse(dated.group(2));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException(
              position
                  + " ends in a not-after that is not an ISO-8601 instant such as"
                  + " 2026-12-01T00:00:00Z",
              null);
        }
        entry = dated.group(1);
      }
      parsed.add(new Entry(entry, notAfter, position));
    }
    return of(parsed);
  }

  /** How many secrets are configured, expired or not. */
  public int count() {
    return keys.size();
  }

  /** How many secrets still verify at {@code now}. */
  public int activeCount(Instant now) {
    return (int) keys.stream().filter(k -> k.activeAt(now)).count();
  }

  /** How many secrets are bound to no hook (they verify deliveries of any hook). */
  public int unboundCount() {
    return (int) keys.stream().filter(k -> k.hookId() == null).count();
  }

  /** The earliest not-after still ahead of {@code now}, if any secret has one. */
  public Optional<Instant> nextExpiry(Instant now) {
    return keys.stream()
        .map(Key::notAfter)
        .filter(t -> t != null && !now.isAfter(t))
        .min(Instant::compareTo);
  }

  /** What a MAC check found. */
  public enum Match {
    /** Made with a secret that is active. */
    ACTIVE,
    /** Made only with a secret whose not-after has passed. */
    EXPIRED,
    /**
     * Made only with secrets bound to another hook than the one the delivery names (or it names
     * none): a secret of one hook presented for another.
     */
    OTHER_HOOK,
    /** Made with none of the secrets. */
    NONE
  }

  /**
   * {@link #match(byte[], byte[], Instant, String)} for a delivery that names no hook: only unbound
   * secrets can verify it.
   */
  public Match match(byte[] message, byte[] mac, Instant now) {
    return match(message, mac, now, null);
  }

  /**
   * Whether {@code mac} is the HMAC-SHA256 of {@code message} under any of the secrets active at
   * {@code now} that may verify a delivery of hook {@code hookId} (bound to it, or to no hook).
   * Every secret is tried and each comparison is constant-time, so the answer takes the same time
   * whichever secret matched, or none.
   *
   * @param hookId the delivery's {@code X-GitHub-Hook-ID}, or null when it names none
   */
  public Match match(byte[] message, byte[] mac, Instant now, String hookId) {
    boolean active = false;
    boolean expired = false;
    boolean otherHook = false;
    for (Key key : keys) {
      boolean equal = MessageDigest.isEqual(hmacSha256(key.spec(), message), mac);
      boolean live = key.activeAt(now);
      boolean covers = key.covers(hookId);
      active |= equal & live & covers;
      expired |= equal & !live & covers;
      otherHook |= equal & !covers;
    }
    if (active) {
      return Match.ACTIVE;
    }
    if (otherHook) {
      return Match.OTHER_HOOK;
    }
    return expired ? Match.EXPIRED : Match.NONE;
  }

  /** {@link #match} at the current instant is {@link Match#ACTIVE}. */
  public boolean anySigned(byte[] message, byte[] mac) {
    return match(message, mac, Instant.now()) == Match.ACTIVE;
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
