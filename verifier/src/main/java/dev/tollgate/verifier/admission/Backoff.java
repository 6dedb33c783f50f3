package dev.tollgate.verifier.admission;

import java.time.Duration;

/** Bounded retries with exponential backoff for registry and cluster errors. */
final class Backoff {
  private final int maxAttempts;
  private final Duration initial;
  private final Duration max;

  Backoff(int maxAttempts, Duration initial, Duration max) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt");
    }
    this.maxAttempts = maxAttempts;
    this.initial = initial;
    this.max = max;
  }

  int maxAttempts() {
    return maxAttempts;
  }

  /** Sleeps before attempt {@code attempt} (2 and up). */
  void pause(int attempt) throws InterruptedException {
    long millis = initial.toMillis() << Math.min(20, attempt - 2);
    Thread.sleep(Math.min(millis, max.toMillis()));
  }
}
