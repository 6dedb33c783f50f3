package dev.tollgate.ledger;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The event-signing public keys the ledger trusts per signer ({@code tollgate.trust.*}, or {@code
 * TOLLGATE_TRUST_*} in the environment; the same names every Tollgate service reads). Each is a
 * comma-separated list of PEM files, several at once while a key rotates. A source event that does
 * not verify under its signer's keys is still recorded, flagged as unauthenticated.
 */
@ConfigMapping(prefix = "tollgate.trust")
public interface EventTrustConfig {

  /** The gateway's keys: triggers and rejections. */
  Optional<List<Path>> gatewayKeys();

  /** The verifier's keys: decisions. */
  Optional<List<Path>> verifierKeys();

  /** The ledger run watch's keys: run events. */
  Optional<List<Path>> runWatchKeys();
}
