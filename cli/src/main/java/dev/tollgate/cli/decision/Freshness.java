package dev.tollgate.cli.decision;

import dev.tollgate.verifier.decide.TriggerFreshness;
import java.time.Duration;

/**
 * How old a trigger may be when decided, as the verifier decides by default: {@code
 * tollgate.verifier.trigger.max-age} PT1H and {@code max-clock-skew} PT5M. {@code FreshnessTest}
 * holds these to the verifier's own defaults, so a change there fails here.
 */
public final class Freshness {

  /** The verifier's default bounds. */
  public static final TriggerFreshness VERIFIER_DEFAULTS =
      new TriggerFreshness(Duration.ofHours(1), Duration.ofMinutes(5));

  private Freshness() {}
}
