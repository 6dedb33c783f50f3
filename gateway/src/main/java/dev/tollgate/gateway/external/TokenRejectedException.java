package dev.tollgate.gateway.external;

import java.util.Objects;

/**
 * A call to an external trigger the gateway refuses. Carries a stable {@link Code}; the message
 * never quotes the token.
 */
public final class TokenRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why, and the HTTP status it is answered with. */
  public enum Code {
    /** No {@code Authorization: Bearer} token. */
    TOKEN_MISSING(401),
    /** Not a signed JWT, or its signature, algorithm or claims do not verify. */
    TOKEN_INVALID(401),
    /** Expired, or not yet valid, beyond the allowed skew. */
    TOKEN_EXPIRED(401),
    /** Issued for another audience. */
    TOKEN_AUDIENCE(401),
    /** Its issuer is not on the allowlist. */
    ISSUER_NOT_ALLOWED(401),
    /** The issuer's keys could not be fetched. */
    ISSUER_UNAVAILABLE(503),
    /** A token with this jti was already used. */
    TOKEN_REPLAYED(401),
    /** No external trigger has this name. */
    TRIGGER_UNKNOWN(404),
    /** The token's issuer or subject may not call this trigger. */
    SUBJECT_NOT_ALLOWED(403);

    private final int httpStatus;

    Code(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  private final Code code;

  public TokenRejectedException(Code code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public Code code() {
    return code;
  }
}
