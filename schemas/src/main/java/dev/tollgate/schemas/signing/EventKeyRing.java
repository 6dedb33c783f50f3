package dev.tollgate.schemas.signing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys trusted to have written one kind of event (the gateway's for triggers, the verifier's
 * for decisions, ...), by key id. Several live at once so a component's key can rotate: publish the
 * new public key to every consumer, then switch the signer, then retire the old key.
 *
 * @param signer who these keys belong to, for messages ("gateway", "verifier", "ledger run watch")
 * @param keys the trusted keys by key id
 */
public record EventKeyRing(String signer, Map<String, EventPublicKey> keys) {

  public EventKeyRing {
    if (signer == null || signer.isBlank()) {
      throw new IllegalArgumentException("a key ring names whose keys it holds");
    }
    keys = Map.copyOf(keys);
  }

  /** A ring of these keys. */
  public static EventKeyRing of(String signer, Collection<EventPublicKey> keys) {
    Map<String, EventPublicKey> byId = new LinkedHashMap<>();
    keys.forEach(key -> byId.put(key.keyId(), key));
    return new EventKeyRing(signer, byId);
  }

  /** Reads every PEM file named (a Secret mounted as files, one key per file). */
  public static EventKeyRing read(String signer, List<Path> pemFiles) throws EventKeyException {
    List<EventPublicKey> keys = new ArrayList<>();
    for (Path file : pemFiles) {
      keys.add(EventPublicKey.read(file));
    }
    return of(signer, keys);
  }

  /** The trusted key with this id. */
  public Optional<EventPublicKey> key(String keyId) {
    return Optional.ofNullable(keys.get(keyId));
  }

  /** Whether no key is trusted: then nothing verifies. */
  public boolean isEmpty() {
    return keys.isEmpty();
  }
}
