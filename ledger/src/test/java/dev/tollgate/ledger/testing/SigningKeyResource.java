package dev.tollgate.ledger.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** Gives a {@code @QuarkusTest} a fresh ledger signing key, as the key-file setting expects. */
public final class SigningKeyResource implements QuarkusTestResourceLifecycleManager {

  private TestKeys.KeyFiles keys;

  @Override
  public Map<String, String> start() {
    keys = TestKeys.generate();
    return Map.of("tollgate.ledger.signing-key-file", keys.privateKey().toString());
  }

  @Override
  public void stop() {
    if (keys == null) {
      return;
    }
    try {
      Files.deleteIfExists(keys.privateKey());
      Files.deleteIfExists(keys.publicKey());
      Files.deleteIfExists(keys.privateKey().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
