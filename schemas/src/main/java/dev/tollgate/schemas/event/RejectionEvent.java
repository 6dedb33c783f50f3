package dev.tollgate.schemas.event;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A request the gateway refused ({@code rejection.v1.schema.json}). Never carries a secret or the
 * request body.
 */
public record RejectionEvent(
    String rejectionId,
    Reason reason,
    Instant occurredAt,
    String remoteAddress,
    String deliveryId,
    String event,
    String repository,
    int count) {

  private static final Pattern REJECTION_ID = Pattern.compile("rej-[0-9a-f]{32}");

  public RejectionEvent {
    Fields.require(rejectionId, REJECTION_ID, "rejectionId");
    Fields.require(reason, "reason");
    Fields.require(occurredAt, "occurredAt");
    Fields.require(remoteAddress, "remoteAddress");
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1");
    }
  }
}
