package dev.tollgate.gateway;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Bounds on request bodies, which must be read whole before their signature can be checked. Beyond
 * a bound a delivery is answered 503 with Retry-After (code BODY_BUDGET_EXHAUSTED) and the rest of
 * its body is read and discarded, so that the client still gets its answer.
 */
public interface IntakeConfig {
  /**
   * Most bytes of request bodies held in memory at once, across all requests; keep it well under
   * the heap (a signed body is also parsed, which takes a few times its size).
   */
  @WithDefault("64M")
  MemorySize maxBuffered();

  /** A body over this size is large; GitHub's typical deliveries are 2-30 KB. */
  @WithDefault("1M")
  MemorySize largeBody();

  /**
   * Large bodies being read or handled at once. Keep this times {@code
   * quarkus.http.limits.max-body-size} under max-buffered, so that large bodies always leave room
   * for small ones.
   */
  @WithDefault("2")
  int maxLargeBodies();

  /**
   * How long reading one body may take before the request is answered 408 and its connection
   * closed: a body trickled in holds its share of the budget. GitHub gives a delivery 10 s.
   */
  @WithDefault("10s")
  Duration bodyReadTimeout();
}
