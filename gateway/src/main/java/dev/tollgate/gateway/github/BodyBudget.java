package dev.tollgate.gateway.github;

import dev.tollgate.gateway.GatewayConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * How much of the heap request bodies may hold before anyone is authenticated. A body has to be
 * read whole before its signature can be checked, so without a bound anyone can make the gateway
 * hold 25 MB per connection: 40 concurrent unsigned 24 MiB bodies ran a 512 MiB heap out of memory
 * and left most of them unanswered. Two bounds, each answered 503 with Retry-After beyond it:
 *
 * <ul>
 *   <li>the bytes buffered across all requests ({@code tollgate.gateway.intake.max-buffered});
 *   <li>the bodies over {@code tollgate.gateway.intake.large-body} being read or handled at once
 *       ({@code tollgate.gateway.intake.max-large-bodies}), so that a few large bodies cannot take
 *       the whole budget from GitHub's typical deliveries of a few kilobytes.
 * </ul>
 *
 * <p>Each request holds a {@link Claim}: it grows with each chunk read and is released when the
 * request is answered or its connection closes, whichever comes first.
 */
@Singleton
public class BodyBudget {

  private static final Logger LOG = Logger.getLogger(BodyBudget.class);

  /** {@code tollgate_gateway_bodies_buffered_bytes}: bytes of bodies held now. */
  static final String BUFFERED = "tollgate.gateway.bodies.buffered";

  /** {@code tollgate_gateway_bodies_buffered_peak_bytes}: the most ever held at once. */
  static final String PEAK = "tollgate.gateway.bodies.buffered.peak";

  private final long maxBuffered;
  private final long largeBody;
  private final int maxLargeBodies;
  private final AtomicLong buffered = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicInteger largeBodies = new AtomicInteger();

  @Inject
  public BodyBudget(
      GatewayConfig config,
      MeterRegistry meters,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
    this(
        config.intake().maxBuffered().asLongValue(),
        config.intake().largeBody().asLongValue(),
        config.intake().maxLargeBodies());
    if ((long) maxLargeBodies * maxBodySize.asLongValue() >= maxBuffered) {
      LOG.warnf(
          "tollgate.gateway.intake: %d large bodies of up to %d bytes"
              + " (quarkus.http.limits.max-body-size) can take the whole budget of %d bytes, and"
              + " then small deliveries are answered 503 too; raise max-buffered or lower"
              + " max-large-bodies",
          maxLargeBodies, maxBodySize.asLongValue(), maxBuffered);
    }
    Gauge.builder(BUFFERED, buffered, AtomicLong::get)
        .baseUnit("bytes")
        .description("Bytes of request bodies held in memory now, before and while handling them")
        .register(meters);
    Gauge.builder(PEAK, peak, AtomicLong::get)
        .baseUnit("bytes")
        .description("The most bytes of request bodies held in memory at once since the start")
        .register(meters);
  }

  /** With explicit bounds, for tests. */
  BodyBudget(long maxBuffered, long largeBody, int maxLargeBodies) {
    if (maxBuffered <= 0 || largeBody <= 0 || maxLargeBodies < 0) {
      throw new IllegalArgumentException(
          "tollgate.gateway.intake: max-buffered and large-body must be positive,"
              + " max-large-bodies not negative");
    }
    this.maxBuffered = maxBuffered;
    this.largeBody = largeBody;
    this.maxLargeBodies = maxLargeBodies;
  }

  /**
   * Opens a claim for a body that declares {@code declaredLength} bytes (-1 when it declares none),
   * or null when a body of that length cannot be taken now. Nothing is reserved yet on the client's
   * word but the large-body slot.
   */
  public Claim open(long declaredLength) {
    Claim claim = new Claim();
    if (declaredLength > largeBody && !claim.takeLargeSlot()) {
      return null;
    }
    return claim;
  }

  /** Bytes held now. */
  public long buffered() {
    return buffered.get();
  }

  /** The most bytes ever held at once. */
  public long peak() {
    return peak.get();
  }

  /**
   * One request's share of the budget. Grown on the request's event loop and released there too as
   * a rule; synchronized all the same, since an answer may be written from a worker thread.
   */
  public final class Claim {

    private boolean released;
    private long held;
    private boolean large;

    private Claim() {}

    /**
     * Counts {@code bytes} more of this body, or returns false, counting nothing, when that would
     * pass a bound: the request is then answered 503 and the rest of its body discarded.
     */
    public synchronized boolean grow(long bytes) {
      if (released) {
        return false;
      }
      if (!large && held + bytes > largeBody && !takeLargeSlot()) {
        return false;
      }
      long now;
      do {
        now = buffered.get();
        if (now + bytes > maxBuffered) {
          return false;
        }
      } while (!buffered.compareAndSet(now, now + bytes));
      held += bytes;
      peak.accumulateAndGet(now + bytes, Math::max);
      return true;
    }

    /** Gives back everything this claim holds; only the first call counts. */
    public synchronized void release() {
      if (released) {
        return;
      }
      released = true;
      buffered.addAndGet(-held);
      if (large) {
        largeBodies.decrementAndGet();
      }
    }

    private boolean takeLargeSlot() {
      int now;
      do {
        now = largeBodies.get();
        if (now >= maxLargeBodies) {
          return false;
        }
      } while (!largeBodies.compareAndSet(now, now + 1));
      large = true;
      return true;
    }
  }
}
