package dev.tollgate.gateway.report;

import java.time.Duration;
import java.util.Optional;

/**
 * GitHub did not take a report. Carries a stable reason code, whether trying again can help, and
 * how long GitHub asked to wait (Retry-After, or until X-RateLimit-Reset). Never carries a token or
 * a response body.
 */
public final class ReportFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The primary rate limit is spent until its reset. */
  public static final String RATE_LIMITED = "RATE_LIMITED";

  /** A secondary (abuse) rate limit: GitHub asks to slow down. */
  public static final String SECONDARY_RATE_LIMITED = "SECONDARY_RATE_LIMITED";

  /** GitHub answered 5xx, timed out, or could not be reached. */
  public static final String UNAVAILABLE = "UNAVAILABLE";

  /** The credential was refused (401), or lacks the permission (403). */
  public static final String UNAUTHORIZED = "UNAUTHORIZED";

  /**
   * The repository or commit is not there for this credential (404), or GitHub refused the
   * request's content (422).
   */
  public static final String REFUSED = "REFUSED";

  /** GitHub's answer could not be read. */
  public static final String UNREADABLE = "UNREADABLE";

  private final String reason;
  private final boolean retryable;
  private final transient Duration wait;

  ReportFailedException(String reason, boolean retryable, Duration wait, String message) {
    super(message);
    this.reason = reason;
    this.retryable = retryable;
    this.wait = wait;
  }

  /** The stable reason code. */
  public String reason() {
    return reason;
  }

  /** Whether trying again later can succeed. */
  public boolean retryable() {
    return retryable;
  }

  /** How long GitHub asked to wait before the next request, when it said. */
  public Optional<Duration> waitAsked() {
    return Optional.ofNullable(wait);
  }

  /** Whether GitHub asked this client to stop for a while (a rate limit of either kind). */
  public boolean rateLimited() {
    return RATE_LIMITED.equals(reason) || SECONDARY_RATE_LIMITED.equals(reason);
  }
}
