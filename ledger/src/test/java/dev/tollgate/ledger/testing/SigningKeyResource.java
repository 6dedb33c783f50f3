package dev.tollgate.ledger.testing;

import dev.tollgate.deploy.kafka.TemporaryDirectory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} a fresh ledger signing key, as the key-file setting expects. The key
 * lives in an owner-only temporary directory deleted when the test resource stops (or, failing
 * that, when the JVM exits).
 */
public final class SigningKeyResource implements QuarkusTestResourceLifecycleManager {

  private TemporaryDirectory dir;

  @Override
  public Map<String, String> start() {
    dir = TemporaryDirectory.create("tollgate-ledger-key-");
    TestKeys.KeyFiles keys = TestKeys.generate(dir.path());
    return Map.of("tollgate.ledger.signing-key-file", keys.privateKey().toString());
  }

  @Override
  public void stop() {
    if (dir != null) {
      dir.close();
    }
  }
}
