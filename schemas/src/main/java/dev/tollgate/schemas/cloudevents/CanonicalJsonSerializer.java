package dev.tollgate.schemas.cloudevents;

import dev.tollgate.schemas.json.CanonicalJson;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes event data as RFC 8785 canonical JSON, so the bytes on the topic are the bytes anyone
 * would hash.
 */
public final class CanonicalJsonSerializer implements Serializer<Object> {
  @Override
  public byte[] serialize(String topic, Object data) {
    return data == null ? null : CanonicalJson.bytes(data);
  }
}
