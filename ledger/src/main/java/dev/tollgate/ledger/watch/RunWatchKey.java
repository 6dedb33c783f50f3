package dev.tollgate.ledger.watch;

import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventSigningKey;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The run watch's own event-signing key ({@code tollgate.signing.key-file}), which signs every run
 * event. It must not be the ledger's record key: a run event signed with the ledger's key would
 * make whoever holds one of the two able to pass for the other, so the two are kept apart and the
 * watch refuses to start when they are the same.
 */
public final class RunWatchKey {

  private RunWatchKey() {}

  /**
   * Reads the run watch's key.
   *
   * @param file the configured PEM file, if any
   * @param ledgerKeyId the key id of the ledger's record key (hex SHA-256 of its raw public key)
   * @throws EventKeyException when no key is configured, it cannot be read, or it is the ledger's
   */
  public static EventSigningKey load(Optional<Path> file, String ledgerKeyId)
      throws EventKeyException {
    if (file.isEmpty()) {
      throw new EventKeyException(
          "tollgate.signing.key-file is not set: the run watch signs every run event with an"
              + " Ed25519 key of its own (PKCS#8 PEM), never the ledger's record key");
    }
    EventSigningKey key = EventSigningKey.read(file.get());
    if (key.keyId().equals(ledgerKeyId)) {
      throw new EventKeyException(
          "tollgate.signing.key-file is the ledger's record key ("
              + ledgerKeyId
              + "): the run watch signs run events with a key of its own; generate one with"
              + " openssl genpkey -algorithm ed25519");
    }
    return key;
  }
}
