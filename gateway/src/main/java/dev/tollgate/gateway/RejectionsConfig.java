package dev.tollgate.gateway;

import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Rejection events. */
public interface RejectionsConfig {
  /**
   * Rejections of one reason from one address are aggregated over this window: the first is emitted
   * at once, the rest as one event with their count when the window closes.
   */
  @WithDefault("60s")
  Duration window();

  /**
   * Distinct (reason, address) pairs tracked per window; beyond it, addresses are aggregated as
   * "*", so a flood from many addresses cannot amplify into Kafka either.
   */
  @WithDefault("1000")
  int maxKeys();

  /**
   * Rejection events held while Kafka does not take them, sent again when each window closes;
   * beyond this many they are dropped, counted, and reported by one REJECTIONS_DROPPED event once
   * Kafka takes events again.
   */
  @WithDefault("10000")
  int maxHeld();
}
