package dev.tollgate.schemas.signing;

import dev.tollgate.schemas.json.CanonicalJson;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes event data as RFC 8785 canonical JSON and signs the event (see {@link EventSignatures})
 * with the producing component's own key, in the one place every record passes: so no event of a
 * signing channel leaves unsigned, whichever code path produced it.
 *
 * <p>Configured like any Kafka serializer: {@value #KEY_FILE} names the PKCS#8 PEM file of the
 * Ed25519 signing key (a Secret mounted as a file). A producer without it does not start: an
 * unsigned event would only be refused downstream. The key is read once, at configuration, and
 * never printed.
 */
public final class SigningCanonicalJsonSerializer implements Serializer<Object> {

  /** The producer (or channel) property naming the signing key's PEM file. */
  public static final String KEY_FILE = "tollgate.signing.key-file";

  private EventSigningKey key;

  /** Configured by Kafka from the producer's properties. */
  public SigningCanonicalJsonSerializer() {}

  /** With the key given, for producers built by hand. */
  public SigningCanonicalJsonSerializer(EventSigningKey key) {
    this.key = key;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (key != null) {
      return;
    }
    Object file = configs.get(KEY_FILE);
    if (file == null || file.toString().isBlank()) {
      throw new ConfigException(
          KEY_FILE
              + " is not set: events of this producer must be signed with the component's own"
              + " Ed25519 key (PKCS#8 PEM)");
    }
    try {
      key = EventSigningKey.read(Path.of(file.toString()));
    } catch (EventKeyException e) {
      throw new ConfigException(KEY_FILE + ": " + e.getMessage());
    }
  }

  /** The id of the key events are signed with. */
  public String keyId() {
    return requireKey().keyId();
  }

  @Override
  public byte[] serialize(String topic, Object data) {
    throw new UnsupportedOperationException(
        "a signed event needs its CloudEvents headers: serialize(topic, headers, data)");
  }

  @Override
  public byte[] serialize(String topic, Headers headers, Object data) {
    if (data == null) {
      return null;
    }
    byte[] bytes = data instanceof byte[] raw ? raw : CanonicalJson.bytes(data);
    EventSignatures.sign(headers, bytes, requireKey());
    return bytes;
  }

  private EventSigningKey requireKey() {
    if (key == null) {
      throw new IllegalStateException("the signing serializer was not configured with a key");
    }
    return key;
  }
}
