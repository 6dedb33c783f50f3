package dev.tollgate.gateway.redeliver;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The share of GitHub's API budget the redelivery job may spend, read from every answer as GitHub
 * documents ("Rate limits for the REST API"): {@code x-ratelimit-limit}, {@code
 * x-ratelimit-remaining} and {@code x-ratelimit-reset} (epoch seconds) for the primary limit; a 403
 * or 429 is a rate limit when it says so, and then the job waits {@code retry-after} seconds if
 * given, else until the reset if nothing remains, else at least a minute (secondary limits).
 *
 * <p>The job leaves the rest of the hour's budget to what the same credentials do on the request
 * path (senders' permissions, check runs): once fewer than {@code (1 - share) * limit} requests
 * remain, it waits for the reset.
 */
final class GitHubRateBudget {

  /** GitHub: without retry-after or an exhausted primary limit, wait at least a minute. */
  static final Duration SECONDARY_WAIT = Duration.ofMinutes(1);

  /** The longest any answer can make the job wait. */
  static final Duration MAX_WAIT = Duration.ofMinutes(65);

  private final double share;
  private final Clock clock;
  private Instant notBefore = Instant.EPOCH;
  private String why = "";

  GitHubRateBudget(double share, Clock clock) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("the budget share must be in (0, 1]");
    }
    this.share = share;
    this.clock = clock;
  }

  /** Until when no request may be made, and why; empty when one may be made now. */
  synchronized Optional<Instant> blockedUntil() {
    return clock.instant().isBefore(notBefore) ? Optional.of(notBefore) : Optional.empty();
  }

  /** Why requests are held back, for logs. */
  synchronized String why() {
    return why;
  }

  /**
   * Reads one answer's headers.
   *
   * @return whether the answer was a rate limit (the request was not served and must not be retried
   *     before {@link #blockedUntil()})
   */
  synchronized boolean observe(int status, HttpHeaders headers, byte[] body) {
    Instant now = clock.instant();
    OptionalLong remaining = number(headers, "x-ratelimit-remaining");
    OptionalLong limit = number(headers, "x-ratelimit-limit");
    OptionalLong reset = number(headers, "x-ratelimit-reset");
    OptionalLong retryAfter = number(headers, "retry-after");
    boolean limited =
        (status == 403 || status == 429)
            && (status == 429
                || retryAfter.isPresent()
                || (remaining.isPresent() && remaining.getAsLong() == 0)
                || mentionsRateLimit(body));
    if (limited) {
      if (retryAfter.isPresent()) {
        block(now.plusSeconds(retryAfter.getAsLong()), "GitHub asked to retry after");
      } else if (remaining.isPresent() && remaining.getAsLong() == 0 && reset.isPresent()) {
        block(Instant.ofEpochSecond(reset.getAsLong()), "the primary rate limit is exhausted");
      } else {
        block(now.plus(SECONDARY_WAIT), "a secondary rate limit");
      }
      return true;
    }
    if (remaining.isPresent() && limit.isPresent() && reset.isPresent()) {
      long reserve = (long) Math.ceil(limit.getAsLong() * (1 - share));
      if (remaining.getAsLong() <= reserve) {
        block(
            Instant.ofEpochSecond(reset.getAsLong()),
            "the job's share of the hour's budget is spent ("
                + remaining.getAsLong()
                + " of "
                + limit.getAsLong()
                + " left for the rest of the gateway)");
      }
    }
    return false;
  }

  private void block(Instant asked, String reason) {
    // Whatever a header says, never wait longer than GitHub's hour plus a margin.
    Instant latest = clock.instant().plus(MAX_WAIT);
    Instant until = asked.isAfter(latest) ? latest : asked;
    if (until.isAfter(notBefore)) {
      notBefore = until;
    }
    why = reason;
  }

  private static boolean mentionsRateLimit(byte[] body) {
    return body != null
        && new String(body, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("rate limit");
  }

  private static OptionalLong number(HttpHeaders headers, String name) {
    Optional<String> value = headers.firstValue(name);
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      long n = Long.parseLong(value.get().trim());
      // Bounded so that seconds from now or from the epoch stay well within Instant's range.
      return n < 0 || n > 1L << 40 ? OptionalLong.empty() : OptionalLong.of(n);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
