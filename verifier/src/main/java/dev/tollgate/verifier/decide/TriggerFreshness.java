package dev.tollgate.verifier.decide;

import java.time.Duration;

/**
 * How old a trigger may be when it is decided, measured from the instant the gateway accepted it
 * (the trigger's {@code receivedAt}, signed with it) to the decider's clock, and how far ahead of
 * that clock it may be dated (clocks of two hosts differ a little).
 *
 * @param maxAge older than this: {@code error} TRIGGER_STALE
 * @param maxClockSkew dated further ahead than this: {@code error} TRIGGER_TIME_AHEAD
 */
public record TriggerFreshness(Duration maxAge, Duration maxClockSkew) {
  public TriggerFreshness {
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("the freshness bound of triggers must be positive");
    }
    if (maxClockSkew == null || maxClockSkew.isNegative()) {
      throw new IllegalArgumentException(
          "the clock skew allowed for triggers must not be negative");
    }
  }
}
