package dev.tollgate.gateway.github;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.GatewayConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The deliveries this replica had acknowledged by Kafka recently, by trigger id (delivery id and
 * hook id), with the digest of the body they came with: bounded in count and in time, in memory.
 *
 * <p>Every replica's acceptances reach it through the {@link DeliveryJournal}, so a redelivery to
 * another replica, or to this one after a restart, is recognized too. While the journal is not
 * loaded, {@link #check} answers {@link Seen#LOADING}: it cannot tell a new delivery from a known
 * one. This spares Kafka and the verifier the redelivery and refuses a changed body; it is still
 * not what makes a redelivery harmless: one remembered nowhere (after eviction) is emitted again
 * under the same trigger id, and downstream is idempotent on it.
 */
@Singleton
public class RecentDeliveries {

  /** What is known of a delivery id. */
  public enum Seen {
    /** Not accepted recently. */
    NEW,
    /** Accepted recently with the same body. */
    SAME,
    /** Accepted recently with another body. */
    DIFFERENT,
    /** Not known yet: the shared journal of accepted deliveries is still being read. */
    LOADING
  }

  private final Cache<String, String> accepted;

  // True unless a DeliveryJournal is reading what every replica accepted and has not finished.
  private volatile boolean complete = true;

  @Inject
  public RecentDeliveries(GatewayConfig config) {
    this(config.deliveries().remembered(), config.deliveries().rememberFor());
  }

  public RecentDeliveries(long maximum, Duration rememberFor) {
    // Maintenance (eviction, expiry) runs on the thread that wrote, not on the common pool: at
    // thousands of deliveries a second, handing each write's upkeep to another thread cost a
    // wake-up and a context switch per delivery, more than the upkeep itself.
    this.accepted =
        Caffeine.newBuilder()
            .maximumSize(maximum)
            .expireAfterWrite(rememberFor)
            .executor(Runnable::run)
            .build();
  }

  /**
   * Whether the delivery of {@code triggerId} (its delivery id and hook id) was accepted, and with
   * this {@code payloadDigest} or another.
   */
  public Seen check(String triggerId, String payloadDigest) {
    String known = accepted.getIfPresent(triggerId);
    if (known == null) {
      return complete ? Seen.NEW : Seen.LOADING;
    }
    return known.equals(payloadDigest) ? Seen.SAME : Seen.DIFFERENT;
  }

  /** Whether every accepted delivery is known here (the journal is loaded). */
  void complete(boolean complete) {
    this.complete = complete;
  }

  /** Records that Kafka acknowledged the trigger of this delivery. */
  public void accepted(String triggerId, String payloadDigest) {
    accepted.put(triggerId, payloadDigest);
  }

  /** Whether the delivery of this trigger id was accepted recently, whatever its body. */
  public boolean wasAccepted(String triggerId) {
    return accepted.getIfPresent(triggerId) != null;
  }
}
