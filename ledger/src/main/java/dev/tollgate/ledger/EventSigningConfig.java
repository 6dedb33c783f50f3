package dev.tollgate.ledger;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/**
 * This component's own event-signing key ({@code tollgate.signing.key-file}, or {@code
 * TOLLGATE_SIGNING_KEY_FILE}): for the ledger, the run watch's key, which signs every run event.
 * Never the ledger's record key ({@code tollgate.ledger.signing-key-file}): the run watch refuses
 * to start when the two are the same key.
 */
@ConfigMapping(prefix = "tollgate.signing")
public interface EventSigningConfig {

  /** PKCS#8 PEM file of the run watch's Ed25519 event-signing key; required while it runs. */
  Optional<Path> keyFile();
}
