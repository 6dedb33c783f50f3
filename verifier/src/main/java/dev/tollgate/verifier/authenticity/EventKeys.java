package dev.tollgate.verifier.authenticity;

import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventPublicKey;
import dev.tollgate.schemas.signing.EventSigningKey;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The verifier's event keys, read once at startup: its own signing key, the gateway keys triggers
 * must verify under, and the verifier keys approvals must verify under (the own key's public half
 * included). A key that is missing or cannot be read stops the verifier from starting, with a
 * message naming the property and the file, never the key.
 */
@Singleton
@Startup
public class EventKeys {

  /** The signer names the key rings carry, as messages name them. */
  public static final String GATEWAY = "gateway";

  public static final String VERIFIER = "verifier";

  private final EventSigningKey own;
  private final EventKeyRing gateways;
  private final EventKeyRing verifiers;

  @Inject
  public EventKeys(EventKeysConfig.Signing signing, EventKeysConfig.Trust trust) {
    this(read(signing, trust));
  }

  private EventKeys(EventKeys read) {
    this(read.own, read.gateways, read.verifiers);
  }

  /** These keys; the verifier ring is given the own key's public half. */
  public EventKeys(EventSigningKey own, EventKeyRing gateways, List<EventPublicKey> verifiers) {
    this(own, gateways, withOwn(own, verifiers));
  }

  private EventKeys(EventSigningKey own, EventKeyRing gateways, EventKeyRing verifiers) {
    if (own == null) {
      throw new IllegalArgumentException("the verifier signs its events with a key of its own");
    }
    if (gateways == null || gateways.isEmpty()) {
      throw new IllegalArgumentException("no gateway key is trusted: no trigger could be acted on");
    }
    this.own = own;
    this.gateways = gateways;
    this.verifiers = verifiers;
  }

  /** The verifier's own signing key. */
  public EventSigningKey own() {
    return own;
  }

  /** The keys a trigger must verify under. */
  public EventKeyRing gateways() {
    return gateways;
  }

  /** The keys an approval must verify under: the own key and those listed for rotation. */
  public EventKeyRing verifiers() {
    return verifiers;
  }

  private static EventKeyRing withOwn(EventSigningKey own, List<EventPublicKey> others) {
    List<EventPublicKey> keys = new ArrayList<>(others);
    if (own != null) {
      keys.add(own.publicKey());
    }
    return EventKeyRing.of(VERIFIER, keys);
  }

  private static EventKeys read(EventKeysConfig.Signing signing, EventKeysConfig.Trust trust) {
    Path keyFile =
        signing
            .keyFile()
            .orElseThrow(
                () ->
                    new KeysUnusableException(
                        "tollgate.signing.key-file (TOLLGATE_SIGNING_KEY_FILE) is not set: the"
                            + " verifier signs every decision and approval with an Ed25519 key of"
                            + " its own (PKCS#8 PEM, openssl genpkey -algorithm ed25519)"));
    List<Path> gatewayFiles = trust.gatewayKeys().orElse(List.of());
    if (gatewayFiles.isEmpty()) {
      throw new KeysUnusableException(
          "tollgate.trust.gateway-keys (TOLLGATE_TRUST_GATEWAY_KEYS) names no key: the verifier"
              + " acts only on triggers signed by a trusted gateway key, so without one it does not"
              + " start. List the gateway's PEM public key file(s), comma-separated");
    }
    try {
      EventSigningKey own = EventSigningKey.read(keyFile);
      EventKeyRing gateways = EventKeyRing.read(GATEWAY, gatewayFiles);
      List<EventPublicKey> verifiers = new ArrayList<>();
      for (Path file : trust.verifierKeys().orElse(List.of())) {
        verifiers.add(EventPublicKey.read(file));
      }
      return new EventKeys(own, gateways, verifiers);
    } catch (EventKeyException e) {
      throw new KeysUnusableException(
          "the verifier's event keys cannot be read: " + e.getMessage());
    }
  }

  /** The keys cannot be used: the verifier does not start. The message holds no key material. */
  public static final class KeysUnusableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    KeysUnusableException(String message) {
      super(message);
    }
  }
}
