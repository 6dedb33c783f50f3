package dev.tollgate.gateway.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The fast messaging tier: the {@code rejections} channel on SmallRye's in-memory connector, and
 * the Kafka clients the gateway drives itself (triggers, the delivery journal) replaced by {@link
 * InMemoryKafkaClients}. No broker is started; the real-broker tests stay beside this tier.
 */
public class InMemoryMessaging implements QuarkusTestProfile {

  @Override
  public Map<String, String> getConfigOverrides() {
    Map<String, String> config = new HashMap<>();
    // Set here rather than through InMemoryConnector.switchOutgoingChannelsToInMemory, which also
    // sets a JVM-wide system property: Quarkus reads test profiles before their tests run, and that
    // property would switch the channel of every later real-broker test in the JVM too.
    config.put("mp.messaging.outgoing.rejections.connector", InMemoryConnector.CONNECTOR);
    // Nothing here may reach a broker: the readiness check's admin client gets an address where
    // none listens.
    config.put("kafka.bootstrap.servers", "127.0.0.1:1");
    return config;
  }

  @Override
  public Set<Class<?>> getEnabledAlternatives() {
    return Set.of(InMemoryKafkaClients.class);
  }
}
