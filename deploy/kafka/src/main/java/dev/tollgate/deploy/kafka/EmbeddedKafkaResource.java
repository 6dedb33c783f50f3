package dev.tollgate.deploy.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts an {@link EmbeddedKafka} with Tollgate's topics for a {@code @QuarkusTest} and points the
 * application's Kafka clients at it. Dev services stay off.
 */
public final class EmbeddedKafkaResource implements QuarkusTestResourceLifecycleManager {

  private EmbeddedKafka kafka;

  @Override
  public Map<String, String> start() {
    kafka = EmbeddedKafka.builder().topics(TollgateTopics.all()).start();
    return Map.of(
        "kafka.bootstrap.servers",
        kafka.bootstrapServers(),
        "quarkus.kafka.devservices.enabled",
        "false");
  }

  @Override
  public void inject(TestInjector testInjector) {
    testInjector.injectIntoFields(kafka, new TestInjector.MatchesType(EmbeddedKafka.class));
  }

  @Override
  public void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }
}
