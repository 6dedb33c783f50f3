package dev.tollgate.gateway.github;

/**
 * Why a delivery was refused, as a stable code that scripts, alerts and the sender key on, and the
 * HTTP status it is answered with.
 */
public enum RejectionCode {
  /** No {@code X-Hub-Signature-256} header. */
  SIGNATURE_MISSING(401),
  /** The header is not {@code sha256=} and 64 lowercase hex digits. */
  SIGNATURE_MALFORMED(401),
  /** The header names another algorithm, such as {@code sha1=}. */
  SIGNATURE_UNSUPPORTED_ALGORITHM(401),
  /** The HMAC matches none of the configured secrets. */
  SIGNATURE_MISMATCH(401),
  /** The HMAC matches only a secret whose not-after has passed. */
  SIGNATURE_SECRET_EXPIRED(401),
  /**
   * The HMAC matches only secrets bound to another hook than the delivery's {@code
   * X-GitHub-Hook-ID} names (or it names none): answered as a mismatch is.
   */
  SIGNATURE_HOOK_MISMATCH(401),
  /** A required header is absent. */
  HEADER_MISSING(400),
  /** A header is malformed or given more than once. */
  HEADER_INVALID(400),
  /**
   * The body is sent neither as {@code application/json} nor as {@code
   * application/x-www-form-urlencoded}.
   */
  UNSUPPORTED_MEDIA_TYPE(415),
  /** The body is larger than the configured limit (GitHub's 25 MiB by default). */
  PAYLOAD_TOO_LARGE(413),
  /**
   * The request bodies held before authentication are at their bound (tollgate.gateway.intake.*):
   * answered 503 with Retry-After, the body discarded unread into memory.
   */
  BODY_BUDGET_EXHAUSTED(503),
  /** The body was not read whole within tollgate.gateway.intake.body-read-timeout. */
  BODY_READ_TIMEOUT(408),
  /** The body is not one JSON object. */
  PAYLOAD_MALFORMED(400),
  /**
   * The body is not shaped like the event {@code X-GitHub-Event} names ({@link EventShape}): a
   * signed body re-sent under another event.
   */
  PAYLOAD_EVENT_MISMATCH(400),
  /** The body is JSON, but a field does not fit the trigger contract. */
  PAYLOAD_INVALID(400),
  /**
   * A delivery id already accepted with a different body: GitHub redelivers the same bytes, so this
   * is a forgery or a replay with a changed payload.
   */
  DELIVERY_ID_REUSED(400),
  /**
   * The shared journal of accepted deliveries (DeliveryJournal) is not read yet, after startup or
   * while Kafka cannot be read: answered 503 with Retry-After rather than risk taking a changed
   * body under a known delivery.
   */
  DELIVERIES_LOADING(503);

  private final int httpStatus;

  RejectionCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /** The status the delivery is answered with. */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * The code the sender is answered with. A secret bound to another hook is answered as a mismatch:
   * telling the sender apart would confirm to whoever holds a leaked secret that it is genuine. The
   * rejection event, the log and the metric carry the code itself.
   */
  public RejectionCode answeredAs() {
    return this == SIGNATURE_HOOK_MISMATCH ? SIGNATURE_MISMATCH : this;
  }
}
