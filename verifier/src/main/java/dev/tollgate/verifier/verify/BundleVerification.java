package dev.tollgate.verifier.verify;

import dev.tollgate.verifier.policy.TriggerPolicy;

/**
 * Verifies the bundle a trigger policy runs, under that policy's trust configuration. The one door
 * the decider goes through to the registry: caching, retries and the engine stay behind it, and a
 * test can put a fixed report in front of it.
 */
@FunctionalInterface
public interface BundleVerification {

  /** Verifies {@code policy}'s {@code spec.run.bundle} (and pipeline); never admits by itself. */
  VerificationOutcome verify(TriggerPolicy policy);
}
