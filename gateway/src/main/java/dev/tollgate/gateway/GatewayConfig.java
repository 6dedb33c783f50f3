package dev.tollgate.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The gateway's settings ({@code tollgate.gateway.*}, or {@code TOLLGATE_GATEWAY_*} in the
 * environment), with their safe defaults declared here and nowhere else. The webhook secret is not
 * among them: it is read once, at startup, into {@code WebhookSecrets}.
 */
@ConfigMapping(prefix = "tollgate.gateway")
public interface GatewayConfig {

  /**
   * Largest body, in bytes, whose parsed JSON is embedded in the trigger; keep it well under the
   * producer's max.request.size.
   */
  @WithDefault("65536")
  int maxEmbeddedPayload();

  /**
   * How long a delivery waits for Kafka to acknowledge its trigger before it is answered 503; stay
   * well under GitHub's 10 s.
   */
  @WithDefault("5s")
  Duration kafkaAckTimeout();

  /** The Retry-After a 503 carries. */
  @WithDefault("30s")
  Duration retryAfter();
}
