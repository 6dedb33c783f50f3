package dev.tollgate.verifier.authenticity;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The event-signing keys, under the names every Tollgate service shares ({@code
 * tollgate.signing.*}, {@code tollgate.trust.*}; environment {@code TOLLGATE_SIGNING_KEY_FILE},
 * {@code TOLLGATE_TRUST_GATEWAY_KEYS}, {@code TOLLGATE_TRUST_VERIFIER_KEYS}). Files by reference (a
 * Secret mounted as files); the keys themselves never appear in configuration or logs.
 */
public final class EventKeysConfig {
  private EventKeysConfig() {}

  /** The key the verifier signs its events with. */
  @ConfigMapping(prefix = "tollgate.signing")
  public interface Signing {
    /**
     * PKCS#8 PEM of the verifier's own Ed25519 event-signing key ({@code openssl genpkey -algorithm
     * ed25519}); decisions and approvals are signed with it. Required: the verifier does not start
     * without it.
     */
    Optional<Path> keyFile();
  }

  /** Public keys trusted per signer; several at once so a key can rotate. */
  @ConfigMapping(prefix = "tollgate.trust")
  public interface Trust {
    /**
     * PEM public keys of the gateway (comma-separated). A trigger that verifies under none of them
     * is decided {@code error}, never acted on. Required: the verifier does not start without one.
     */
    Optional<List<Path>> gatewayKeys();

    /**
     * PEM public keys of verifier keys besides the current one (comma-separated): approvals signed
     * with a key being retired still count while it is listed. The current key always counts.
     */
    Optional<List<Path>> verifierKeys();

    /**
     * The ledger run watch's public keys: the verifier reads no run events, so it only accepts the
     * name, that one configuration can serve every service.
     */
    Optional<List<Path>> runWatchKeys();
  }
}
