package dev.tollgate.gateway.emit;

import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventPublicKey;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.EventSigningKey;
import dev.tollgate.schemas.signing.SigningCanonicalJsonSerializer;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway's own event-signing key ({@value #PROPERTY}, a PKCS#8 PEM file mounted from a
 * Secret), read once at startup. Every trigger and rejection the gateway writes is signed with it,
 * so a consumer can tell the gateway's events from ones produced straight onto the topic by anyone
 * else with access to the broker. Without a readable key the gateway does not start: an unsigned
 * trigger would only be refused downstream.
 *
 * <p>The key never leaves the {@link EventSigningKey}; errors name the property and the file, never
 * its content.
 */
@Singleton
public class EventSigner {

  /** The configuration property naming the key file (shared by every Tollgate component). */
  public static final String PROPERTY = SigningCanonicalJsonSerializer.KEY_FILE;

  /** The environment variable operators set; it maps to {@link #PROPERTY}. */
  public static final String ENVIRONMENT_VARIABLE = "TOLLGATE_SIGNING_KEY_FILE";

  private final EventSigningKey key;

  @Inject
  public EventSigner(@ConfigProperty(name = PROPERTY) Optional<String> keyFile) {
    this.key = read(keyFile);
  }

  /**
   * @throws ConfigurationException when the file is not named, unreadable, or not an Ed25519
   *     private key
   */
  static EventSigningKey read(Optional<String> keyFile) {
    String file = keyFile.map(String::trim).orElse("");
    if (file.isEmpty()) {
      throw new ConfigurationException(
          ENVIRONMENT_VARIABLE
              + " ("
              + PROPERTY
              + ") is not set: the gateway signs every trigger and rejection event with its own"
              + " Ed25519 key. Generate one with `openssl genpkey -algorithm ed25519`, mount it"
              + " from a Secret and name the file here.",
          Set.of(PROPERTY));
    }
    try {
      return EventSigningKey.read(Path.of(file));
    } catch (EventKeyException e) {
      // The message names the file and what is wrong with it, never its content.
      throw new ConfigurationException(
          ENVIRONMENT_VARIABLE + " (" + PROPERTY + "): " + e.getMessage(), Set.of(PROPERTY));
    }
  }

  /** The id of the key events are signed with (lowercase hex SHA-256 of the public key). */
  public String keyId() {
    return key.keyId();
  }

  /** The public half, which the gateway's own consumers trust its triggers under. */
  public EventPublicKey publicKey() {
    return key.publicKey();
  }

  /**
   * Adds the signature headers to a record whose CloudEvents attributes are already in {@code
   * headers} and whose value is {@code value} (EventSignatures.sign), for records the gateway
   * writes with a byte-array value of its own, such as the delivery journal's.
   */
  public void sign(Headers headers, byte[] value) {
    EventSignatures.sign(headers, value, key);
  }

  /** A value serializer that signs each record with this key, for a producer made by hand. */
  public SigningCanonicalJsonSerializer serializer() {
    return new SigningCanonicalJsonSerializer(key);
  }

  @Override
  public String toString() {
    return "EventSigner[" + key.keyId() + "]";
  }
}
