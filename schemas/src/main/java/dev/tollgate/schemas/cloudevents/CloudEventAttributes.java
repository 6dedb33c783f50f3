package dev.tollgate.schemas.cloudevents;

import java.net.URI;
import java.time.Instant;

/**
 * The CloudEvents 1.0 context attributes Tollgate sets on every event. {@code id} is the stable
 * event id every consumer is idempotent on.
 */
public record CloudEventAttributes(
    String id, String type, URI source, String subject, Instant time, String dataContentType) {

  /** The only spec version we write and accept. */
  public static final String SPEC_VERSION = "1.0";

  /** Our events' data is JSON. */
  public static final String JSON = "application/json";

  public CloudEventAttributes {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("CloudEvents id is required");
    }
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("CloudEvents type is required");
    }
    if (source == null || source.toString().isEmpty()) {
      throw new IllegalArgumentException("CloudEvents source is required");
    }
  }

  /** Attributes for one of our JSON events. */
  public static CloudEventAttributes of(
      EventType type, String id, URI source, String subject, Instant time) {
    return new CloudEventAttributes(id, type.ceType(), source, subject, time, JSON);
  }
}
