package dev.tollgate.schemas.event;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Sha256;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * An authenticated request to run a pipeline ({@code trigger.v1.schema.json}). The gateway writes
 * one only after it authenticated the delivery.
 */
public record TriggerEvent(
    String triggerId,
    Source source,
    Instant receivedAt,
    String event,
    String action,
    String repository,
    String ref,
    String before,
    String after,
    String headSha,
    Sender sender,
    GitHubDelivery github,
    String payloadDigest,
    long payloadSize,
    JsonNode payload,
    boolean payloadTruncated) {

  private static final Pattern EVENT = Pattern.compile("[a-z_]{1,64}");

  public TriggerEvent {
    Fields.require(triggerId, Fields.TRIGGER_ID, "triggerId");
    Fields.require(source, "source");
    Fields.require(receivedAt, "receivedAt");
    Fields.require(event, EVENT, "event");
    Fields.optional(repository, Fields.REPOSITORY, "repository");
    Fields.optional(before, Fields.SHA, "before");
    Fields.optional(after, Fields.SHA, "after");
    Fields.optional(headSha, Fields.SHA, "headSha");
    Sha256.requireDigest(payloadDigest, "payloadDigest");
    if (payloadSize < 0) {
      throw new IllegalArgumentException("payloadSize must not be negative");
    }
    if (source == Source.GITHUB && github == null) {
      throw new IllegalArgumentException("github is required for source github");
    }
    if (payloadTruncated && payload != null && !payload.isNull()) {
      throw new IllegalArgumentException("a truncated trigger carries no payload");
    }
  }

  /** Where the trigger came from. */
  public enum Source {
    GITHUB("github"),
    SCHEDULE("schedule"),
    EXTERNAL("external");

    private final String wire;

    Source(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /** Who caused the delivery, as GitHub reported it. */
  public record Sender(String login, long id) {
    public Sender {
      Fields.require(login, "sender.login");
      if (id < 0) {
        throw new IllegalArgumentException("sender.id must not be negative");
      }
    }
  }

  /** GitHub's identifiers of the delivery. */
  public record GitHubDelivery(String deliveryId, String hookId, Long installationId) {
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9-]{1,100}");

    public GitHubDelivery {
      Fields.require(deliveryId, DELIVERY_ID, "github.deliveryId");
    }
  }
}
