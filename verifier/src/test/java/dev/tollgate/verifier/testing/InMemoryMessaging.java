package dev.tollgate.verifier.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The fast messaging tier: the verifier's {@code triggers} and {@code decisions} channels on
 * SmallRye's in-memory connector instead of Kafka, and the policies in {@code
 * src/test/resources/inmemory/policies}. No broker, registry or cluster is started.
 */
public final class InMemoryMessaging implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>();
    config.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("triggers"));
    config.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory("decisions"));
    try {
      config.put(
          "tollgate.verifier.policies.directory",
          Path.of(InMemoryMessaging.class.getResource("/inmemory/policies").toURI()).toString());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the test policies are not on the classpath", e);
    }
    return config;
  }

  @Override
  public void stop() {
    InMemoryConnector.clear();
  }
}
