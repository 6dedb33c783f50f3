package dev.tollgate.schemas.cloudevents;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The CloudEvents 1.0 Kafka protocol binding, binary content mode: attributes in {@code ce_*}
 * headers, the JSON data as the record value, so {@code kafka-console-consumer} shows readable
 * JSON. The mapping is six headers, small enough to keep here in one place for every producer and
 * consumer; a test reads what this writes with the CloudEvents SDK.
 */
public final class KafkaCloudEvents {

  public static final String SPEC_VERSION = "ce_specversion";
  public static final String ID = "ce_id";
  public static final String TYPE = "ce_type";
  public static final String SOURCE = "ce_source";
  public static final String SUBJECT = "ce_subject";
  public static final String TIME = "ce_time";
  public static final String CONTENT_TYPE = "content-type";

  private KafkaCloudEvents() {}

  /** The headers that carry these attributes. */
  public static Headers headers(CloudEventAttributes attributes) {
    RecordHeaders headers = new RecordHeaders();
    put(headers, SPEC_VERSION, CloudEventAttributes.SPEC_VERSION);
    put(headers, ID, attributes.id());
    put(headers, TYPE, attributes.type());
    put(headers, SOURCE, attributes.source().toString());
    if (attributes.subject() != null) {
      put(headers, SUBJECT, attributes.subject());
    }
    if (attributes.time() != null) {
      put(headers, TIME, attributes.time().toString());
    }
    if (attributes.dataContentType() != null) {
      put(headers, CONTENT_TYPE, attributes.dataContentType());
    }
    return headers;
  }

  /**
   * Reads the attributes of a binary-mode event.
   *
   * @throws NotACloudEventException when a required attribute is missing or malformed
   */
  public static CloudEventAttributes read(Headers headers) throws NotACloudEventException {
    String specVersion = last(headers, SPEC_VERSION);
    if (!CloudEventAttributes.SPEC_VERSION.equals(specVersion)) {
      throw new NotACloudEventException(
          "ce_specversion is " + (specVersion == null ? "missing" : "'" + specVersion + "'"));
    }
    String id = last(headers, ID);
    String type = last(headers, TYPE);
    String source = last(headers, SOURCE);
    if (id == null || id.isEmpty() || type == null || type.isEmpty() || source == null) {
      throw new NotACloudEventException("ce_id, ce_type and ce_source are required");
    }
    try {
      String time = last(headers, TIME);
      return new CloudEventAttributes(
          id,
          type,
          new URI(source),
          last(headers, SUBJECT),
          time == null ? null : Instant.parse(time),
          last(headers, CONTENT_TYPE));
    } catch (URISyntaxException e) {
      throw new NotACloudEventException("ce_source is not a URI reference");
    } catch (DateTimeParseException e) {
      throw new NotACloudEventException("ce_time is not an RFC 3339 timestamp");
    }
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String last(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}
