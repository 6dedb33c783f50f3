package dev.tollgate.verifier.retry;

import dev.tollgate.verifier.VerifierConfig;
import java.time.Duration;

/** Bounded retries with exponential backoff for registry and cluster errors. */
public final class Backoff {
  private final int maxAttempts;
  private final Duration initial;
  private final Duration max;

  public Backoff(int maxAttempts, Duration initial, Duration max) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt");
    }
    this.maxAttempts = maxAttempts;
    this.initial = initial;
    this.max = max;
  }

  /** The retries {@code tollgate.verifier.retry.*} configure. */
  public static Backoff of(VerifierConfig.Retry config) {
    return new Backoff(config.maxAttempts(), config.initialBackoff(), config.maxBackoff());
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** Sleeps before attempt {@code attempt} (2 and up). */
  public void pause(int attempt) throws InterruptedException {
    long millis = initial.toMillis() << Math.min(20, attempt - 2);
    Thread.sleep(Math.min(millis, max.toMillis()));
  }
}
