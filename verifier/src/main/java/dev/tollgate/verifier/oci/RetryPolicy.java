package dev.tollgate.verifier.oci;

import java.time.Duration;

/**
 * How often and how long to retry a registry that answers 429 or 5xx or drops the connection.
 * Backoff doubles from {@code initialBackoff} up to {@code maxBackoff}; a {@code Retry-After} is
 * honoured when it is at most {@code maxRetryAfter}, and a longer one ends the attempt instead of
 * stalling a verification for minutes.
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

  public RetryPolicy {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("maxAttempts is between 1 and 10");
    }
    if (initialBackoff.isNegative()
        || maxBackoff.compareTo(initialBackoff) < 0
        || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("backoff durations are non-negative and ordered");
    }
  }

  /** Four attempts, 200 ms doubling to 5 s, Retry-After honoured up to 30 s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        4, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  /** No retries: the first failure is final. */
  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  /** The backoff before attempt {@code attempt + 1}, where {@code attempt} starts at 1. */
  Duration backoff(int attempt) {
    Duration d = initialBackoff;
    for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }
}
