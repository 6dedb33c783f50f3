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
  /** A required header is absent. */
  HEADER_MISSING(400),
  /** A header is malformed or given more than once. */
  HEADER_INVALID(400),
  /** The body is not sent as {@code application/json}. */
  UNSUPPORTED_MEDIA_TYPE(415),
  /** The body is not one JSON object. */
  PAYLOAD_MALFORMED(400),
  /** The body is JSON, but a field does not fit the trigger contract. */
  PAYLOAD_INVALID(400);

  private final int httpStatus;

  RejectionCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /** The status the delivery is answered with. */
  public int httpStatus() {
    return httpStatus;
  }
}
