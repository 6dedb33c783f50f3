package dev.tollgate.gateway.github;

import dev.tollgate.schemas.event.TriggerEvent;
import java.time.Instant;

/** Test access to the normalizer with the default embedding limit, from other packages. */
public final class TriggerNormalizerAccess {
  private TriggerNormalizerAccess() {}

  public static TriggerEvent normalize(DeliveryHeaders headers, byte[] body, Instant receivedAt)
      throws WebhookRejectedException {
    return new TriggerNormalizer(65536).normalize(headers, body, receivedAt);
  }
}
