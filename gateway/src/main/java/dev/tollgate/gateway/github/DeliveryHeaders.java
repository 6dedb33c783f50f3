package dev.tollgate.gateway.github;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The headers GitHub sends with a delivery, validated. GitHub does not sign headers, so these are
 * read only after the body's signature was verified, and each is checked against the shape GitHub
 * documents before it goes into an event, a log line or a Kafka key.
 *
 * @param event {@code X-GitHub-Event}: push, pull_request, ...
 * @param deliveryId {@code X-GitHub-Delivery}: GitHub's GUID for this delivery, the same on
 *     redelivery
 * @param hookId {@code X-GitHub-Hook-ID}, or null when absent
 * @param formEncoded whether the body is {@code application/x-www-form-urlencoded} ({@code
 *     payload=<JSON>}) rather than JSON
 */
public record DeliveryHeaders(String event, String deliveryId, String hookId, boolean formEncoded) {

  /** Headers of a JSON delivery. */
  public DeliveryHeaders(String event, String deliveryId, String hookId) {
    this(event, deliveryId, hookId, false);
  }

  /**
   * Request headers by name, case-insensitively; an absent header is null or empty. Vert.x's {@code
   * request.headers()::getAll} is one.
   */
  @FunctionalInterface
  public interface Source {
    List<String> all(String name);
  }

  public static final String EVENT = "X-GitHub-Event";
  public static final String DELIVERY = "X-GitHub-Delivery";
  public static final String HOOK_ID = "X-GitHub-Hook-ID";

  /** As in trigger.v1.schema.json's {@code event}. */
  static final Pattern EVENT_PATTERN = Pattern.compile("[a-z_]{1,64}");

  /** As in trigger.v1.schema.json's {@code github.deliveryId}. */
  static final Pattern DELIVERY_PATTERN = Pattern.compile("[A-Za-z0-9-]{1,100}");

  /** GitHub's hook ids are decimal; the bound keeps a junk header out of events. */
  static final Pattern HOOK_ID_PATTERN = Pattern.compile("[0-9]{1,20}");

  /**
   * The hook id a delivery claims, read before its signature is verified so that a secret bound to
   * a hook verifies only that hook's deliveries: the one well-formed {@code X-GitHub-Hook-ID}, or
   * null when it is absent, repeated or malformed (then only unbound secrets can verify it, and
   * {@link #from} refuses a repeated or malformed one afterwards).
   */
  public static String claimedHookId(Source headers) {
    return wellFormed(headers, HOOK_ID, HOOK_ID_PATTERN);
  }

  /**
   * Reads and validates the delivery headers and the content type.
   *
   * @throws WebhookRejectedException HEADER_MISSING, HEADER_INVALID or UNSUPPORTED_MEDIA_TYPE
   */
  public static DeliveryHeaders from(Source headers) throws WebhookRejectedException {
    String event = required(headers, EVENT, EVENT_PATTERN, "a lowercase GitHub event name");
    String deliveryId =
        required(headers, DELIVERY, DELIVERY_PATTERN, "1 to 100 letters, digits and dashes");
    String hookId = single(headers, HOOK_ID, RejectionCode.HEADER_INVALID);
    if (hookId != null && !HOOK_ID_PATTERN.matcher(hookId).matches()) {
      throw new WebhookRejectedException(
          RejectionCode.HEADER_INVALID, HOOK_ID + " must be a decimal number.");
    }
    boolean form =
        formEncoded(single(headers, HttpHeaders.CONTENT_TYPE, RejectionCode.HEADER_INVALID));
    return new DeliveryHeaders(event, deliveryId, hookId, form);
  }

  /**
   * The one value of a header, or null when absent.
   *
   * @throws WebhookRejectedException with {@code ifRepeated} when the header is given more than
   *     once: which of two values GitHub meant is not ours to guess
   */
  public static String single(Source headers, String name, RejectionCode ifRepeated)
      throws WebhookRejectedException {
    List<String> values = headers.all(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw new WebhookRejectedException(ifRepeated, name + " is given more than once.");
    }
    return values.get(0);
  }

  /** The value of a header if it has the shape GitHub gives it, else null: safe to log or emit. */
  public static String wellFormed(Source headers, String name, Pattern shape) {
    List<String> values = headers.all(name);
    if (values == null || values.size() != 1 || values.get(0) == null) {
      return null;
    }
    return shape.matcher(values.get(0)).matches() ? values.get(0) : null;
  }

  private static String required(Source headers, String name, Pattern pattern, String shape)
      throws WebhookRejectedException {
    String value = single(headers, name, RejectionCode.HEADER_INVALID);
    if (value == null || value.isEmpty()) {
      throw new WebhookRejectedException(
          RejectionCode.HEADER_MISSING,
          name + " is missing. GitHub sends it with every delivery; is this request from GitHub?");
    }
    if (!pattern.matcher(value).matches()) {
      throw new WebhookRejectedException(RejectionCode.HEADER_INVALID, name + " must be " + shape);
    }
    return value;
  }

  /** True for a form-encoded body, false for JSON; anything else is refused. */
  private static boolean formEncoded(String contentType) throws WebhookRejectedException {
    MediaType type = null;
    if (contentType != null) {
      try {
        type = MediaType.valueOf(contentType);
      } catch (IllegalArgumentException unparseable) {
        type = null; // answered below like any other content type we do not take
      }
    }
    if (type != null && "application".equalsIgnoreCase(type.getType())) {
      if ("json".equalsIgnoreCase(type.getSubtype())) {
        return false;
      }
      if ("x-www-form-urlencoded".equalsIgnoreCase(type.getSubtype())) {
        return true;
      }
    }
    throw new WebhookRejectedException(
        RejectionCode.UNSUPPORTED_MEDIA_TYPE,
        "The body must be application/json or application/x-www-form-urlencoded, the two"
            + " content types GitHub sends. Set the webhook's content type to application/json"
            + " in its GitHub settings.");
  }
}
