package dev.tollgate.gateway.identity;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The GitHub API could not say who a sender is: not configured, unreachable, too slow, refusing the
 * token, rate limited. Carries a stable reason code that goes into the trigger's {@code
 * identity.unverifiedReason}; the message never quotes a token.
 */
public final class IdentityUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;
  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{1,63}");

  /** No token and no GitHub App configured. */
  public static final String NOT_CONFIGURED = "GITHUB_API_NOT_CONFIGURED";

  /** The API did not answer in time. */
  public static final String TIMEOUT = "GITHUB_API_TIMEOUT";

  /** The API could not be reached or failed (5xx). */
  public static final String UNAVAILABLE = "GITHUB_API_UNAVAILABLE";

  /** The API refused the credentials (401). */
  public static final String UNAUTHORIZED = "GITHUB_API_UNAUTHORIZED";

  /** The API refused the request (403) or rate-limited it (403, 429). */
  public static final String FORBIDDEN = "GITHUB_API_FORBIDDEN";

  /** The repository, user or pull request is unknown to the API (404). */
  public static final String NOT_FOUND = "GITHUB_API_NOT_FOUND";

  /** The API answered something this gateway cannot read. */
  public static final String UNREADABLE = "GITHUB_API_UNREADABLE";

  /** The payload has no sender or repository to look up. */
  public static final String NOTHING_TO_LOOK_UP = "SENDER_UNKNOWN";

  private final String reason;

  public IdentityUnavailableException(String reason, String message, Throwable cause) {
    // An expected outcome (every delivery when no API is configured), not a bug: its reason code
    // says what happened, so no stack trace is filled; a cause keeps its own.
    super(message, cause, true, false);
    Objects.requireNonNull(reason, "reason");
    if (!CODE.matcher(reason).matches()) {
      throw new IllegalArgumentException("reason must be an upper snake case code");
    }
    this.reason = reason;
  }

  /** The stable reason code. */
  public String reason() {
    return reason;
  }
}
