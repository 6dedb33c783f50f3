package dev.tollgate.verifier.testing;

import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventPublicKey;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.EventSigningKey;
import dev.tollgate.verifier.authenticity.EventKeys;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.header.Headers;

/**
 * The fixed test keys under {@code src/test/resources/keys} (see the README there): the gateway's,
 * the verifier's own and a retired one, and a stranger's that nobody trusts. The %test profile
 * configures the service with the same files.
 */
public final class TestEventKeys {
  private TestEventKeys() {}

  /** The gateway's signing key: triggers in tests are signed with it. */
  public static EventSigningKey gateway() {
    return signing("gateway-events");
  }

  /** The verifier's own signing key, as the %test profile configures it. */
  public static EventSigningKey verifier() {
    return signing("verifier-events");
  }

  /** A retired verifier key, listed in tollgate.trust.verifier-keys of the %test profile. */
  public static EventSigningKey previousVerifier() {
    return signing("verifier-events-previous");
  }

  /** A key nobody trusts. */
  public static EventSigningKey stranger() {
    return signing("stranger-events");
  }

  /** The trusted gateway keys, as the %test profile configures them. */
  public static EventKeyRing gateways() {
    return EventKeyRing.of(EventKeys.GATEWAY, List.of(gateway().publicKey()));
  }

  /** The trusted verifier keys of the %test profile: the own key and the retired one. */
  public static EventKeyRing verifiers() {
    return keys().verifiers();
  }

  /** The verifier's keys as the %test profile configures them. */
  public static EventKeys keys() {
    return new EventKeys(
        verifier(), gateways(), List.<EventPublicKey>of(previousVerifier().publicKey()));
  }

  /** Signs a trigger record with the gateway's key, as the gateway does. */
  public static void signAsGateway(Headers headers, byte[] value) {
    EventSignatures.sign(headers, value, gateway());
  }

  /** The file of a key, for configuration. */
  public static Path file(String name) {
    try {
      return Path.of(TestEventKeys.class.getResource("/keys/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the test keys are not on the classpath", e);
    }
  }

  private static EventSigningKey signing(String name) {
    try {
      return EventSigningKey.read(file(name + ".pem"));
    } catch (EventKeyException e) {
      throw new IllegalStateException("test key " + name + " cannot be read", e);
    }
  }
}
