package dev.tollgate.gateway.emit;

import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventPublicKey;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway keys whose records the gateway itself believes ({@value #PROPERTY}, the name every
 * Tollgate service reads): this gateway's own public key always, and the PEM public keys listed
 * there, comma-separated, so replicas keep believing each other while the gateway's key rotates
 * (list the new key beside the old one on every replica, then switch the signing key, then retire
 * the old one). Read once at startup; a listed file that cannot be read stops the gateway, with a
 * message naming the property and the file, never a key.
 *
 * <p>The delivery journal accepts only records that verify under one of these keys, so a record
 * produced onto the journal topic by anyone else with access to the broker is ignored.
 */
@Singleton
public class TrustedGatewayKeys {

  /** The configuration property listing the trusted gateway public key files. */
  public static final String PROPERTY = "tollgate.trust.gateway-keys";

  /** The environment variable operators set; it maps to {@link #PROPERTY}. */
  public static final String ENVIRONMENT_VARIABLE = "TOLLGATE_TRUST_GATEWAY_KEYS";

  private final EventKeyRing ring;

  @Inject
  public TrustedGatewayKeys(
      EventSigner own, @ConfigProperty(name = PROPERTY) Optional<List<String>> files) {
    this(own.publicKey(), read(files.orElse(List.of())));
  }

  /** The own key and these others. */
  public TrustedGatewayKeys(EventPublicKey own, List<EventPublicKey> others) {
    List<EventPublicKey> keys = new ArrayList<>(others);
    keys.add(own);
    this.ring = EventKeyRing.of("gateway", keys);
  }

  private static List<EventPublicKey> read(List<String> files) {
    List<EventPublicKey> keys = new ArrayList<>();
    for (String file : files) {
      if (file.isBlank()) {
        continue;
      }
      try {
        keys.add(EventPublicKey.read(Path.of(file.trim())));
      } catch (EventKeyException e) {
        // The message names the file and what is wrong with it, never its content.
        throw new ConfigurationException(
            ENVIRONMENT_VARIABLE + " (" + PROPERTY + "): " + e.getMessage(), Set.of(PROPERTY));
      }
    }
    return keys;
  }

  /** The keys a gateway record must verify under. */
  public EventKeyRing ring() {
    return ring;
  }

  @Override
  public String toString() {
    return "TrustedGatewayKeys" + ring.keys().keySet();
  }
}
