package dev.tollgate.deploy.kafka;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same broker contract against Apache Kafka in a container. Runs only where a Docker engine
 * answers; elsewhere JUnit reports it skipped with Testcontainers' reason ("Docker is not
 * available"). The embedded broker is what every other test uses, so nothing depends on this.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersKafkaTest extends BrokerContractTest {

  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }
}
