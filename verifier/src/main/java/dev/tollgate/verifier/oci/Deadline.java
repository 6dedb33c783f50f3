package dev.tollgate.verifier.oci;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A time budget shared by every registry round trip of one verification, so that a registry that
 * answers slowly, trickles a body or keeps asking to retry cannot hold a verification (and the
 * thread deciding for everyone) for longer than the budget.
 *
 * <p>The budget travels with the thread: {@link #enter} makes it current until the returned scope
 * closes, and {@link #propagate} carries it into work submitted to another thread. A registry call
 * made with no current deadline is still bounded by the client's own per-call budget.
 */
public final class Deadline {
  /**
   * The budget of one bundle verification: every registry round trip of it, task bundles and image
   * attestations included. Far above what a healthy registry needs (seconds), and below Kafka's
   * default {@code max.poll.interval.ms} of five minutes, so a stalling registry ends a
   * verification as a transient error instead of stalling the consumer.
   */
  public static final Duration VERIFICATION_BUDGET = Duration.ofMinutes(3);

  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  private final long endNanos;
  private final Duration budget;

  private Deadline(long endNanos, Duration budget) {
    this.endNanos = endNanos;
    this.budget = budget;
  }

  /** A deadline {@code budget} from now. */
  public static Deadline after(Duration budget) {
    if (budget == null || budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("a time budget is positive: " + budget);
    }
    return new Deadline(System.nanoTime() + budget.toNanos(), budget);
  }

  /** The deadline of the verification running on this thread, if one was entered. */
  public static Optional<Deadline> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** The earlier of this deadline and the current one, current on this thread until closed. */
  public Scope enter() {
    Deadline previous = CURRENT.get();
    CURRENT.set(previous == null ? this : earlier(previous, this));
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** The task, run under the deadline current now (if any) on whichever thread runs it. */
  public static <T> Callable<T> propagate(Callable<T> task) {
    Deadline captured = CURRENT.get();
    if (captured == null) {
      return task;
    }
    return () -> {
      Scope scope = captured.enter();
      try {
        return task.call();
      } finally {
        scope.close();
      }
    };
  }

  /** Time left; zero or negative once passed. */
  public Duration remaining() {
    return Duration.ofNanos(endNanos - System.nanoTime());
  }

  public boolean expired() {
    return endNanos - System.nanoTime() <= 0;
  }

  /** The budget this deadline was created with, for messages. */
  public Duration budget() {
    return budget;
  }

  /** The earlier of two deadlines. */
  static Deadline earlier(Deadline a, Deadline b) {
    return a.endNanos - b.endNanos <= 0 ? a : b;
  }

  /** Fails with {@link OciReason#REGISTRY_TIMEOUT} once passed. */
  void check(String what) throws OciException {
    if (expired()) {
      throw exceeded(what);
    }
  }

  OciException exceeded(String what) {
    return new OciException(
        OciReason.REGISTRY_TIMEOUT,
        what + " did not finish within the time budget of " + budget.toMillis() + " ms",
        Map.of("what", what, "budgetMillis", String.valueOf(budget.toMillis())));
  }

  /** Ends a deadline's time as the current one; closing twice is harmless. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
