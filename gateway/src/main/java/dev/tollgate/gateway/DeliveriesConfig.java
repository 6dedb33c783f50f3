package dev.tollgate.gateway;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Duplicate detection, shared by the replicas through a compacted topic. */
public interface DeliveriesConfig {
  /**
   * The compacted topic of accepted deliveries (trigger id to body digest) that every replica
   * writes and reads whole.
   */
  @WithDefault("tollgate.deliveries.v1")
  String topic();

  /**
   * How long startup waits for that topic to be read; past it the gateway starts, not ready, and
   * answers deliveries 503 (DELIVERIES_LOADING) until it is read.
   */
  @WithDefault("15s")
  Duration loadWait();

  /** How many delivery ids are remembered. */
  @WithDefault("100000")
  long remembered();

  /**
   * How long a delivery id is remembered; GitHub lets a delivery be redelivered for 3 days, so a
   * redelivery after this reaches Kafka again and is deduplicated downstream by its trigger id.
   */
  @WithDefault("24h")
  Duration rememberFor();
}
