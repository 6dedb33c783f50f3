package dev.tollgate.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest extends BrokerContractTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.builder().topics(TollgateTopics.all()).start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Override
  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Test
  void start_tollgateTopics_ledgerHasOnePartitionAndNeverExpires() throws Exception {
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      Map<String, TopicDescription> topics =
          admin
              .describeTopics(List.of("tollgate.ledger.v1", "tollgate.triggers.v1"))
              .allTopicNames()
              .get();
      var ledgerConfig =
          admin
              .describeConfigs(
                  List.of(
                      new org.apache.kafka.common.config.ConfigResource(
                          org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                          "tollgate.ledger.v1")))
              .all()
              .get()
              .values()
              .iterator()
              .next();

      assertThat(topics.get("tollgate.ledger.v1").partitions()).hasSize(1);
      assertThat(topics.get("tollgate.triggers.v1").partitions())
          .hasSize(TollgateTopics.EVENT_PARTITIONS);
      assertThat(ledgerConfig.get("retention.ms").value()).isEqualTo("-1");
      assertThat(ledgerConfig.get("cleanup.policy").value()).isEqualTo("delete");
    }
  }

  @Test
  void close_temporaryBroker_deletesItsDataDirectory() {
    Path dir;
    try (EmbeddedKafka temporary = EmbeddedKafka.builder().start()) {
      dir = temporary.temporaryDataDir().orElseThrow();
      assertThat(dir.resolve("data").resolve("meta.properties")).exists();
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void restart_sameDataDir_keepsRecords(@TempDir Path dir) throws Exception {
    String topic = "restart-test";
    try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(dir).start()) {
      first.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
      Map<String, Object> props = first.clientProperties();
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        producer.send(new ProducerRecord<>(topic, "before restart")).get();
      }
    }
    try (EmbeddedKafka second = EmbeddedKafka.builder().dataDir(dir).start()) {
      BrokerContractTest view =
          new BrokerContractTest() {
            @Override
            String bootstrapServers() {
              return second.bootstrapServers();
            }
          };
      assertThat(view.readAll(topic, "read_committed")).containsExactly("before restart");
    }
    assertThat(Files.exists(dir.resolve("data"))).as("a given data dir is kept").isTrue();
  }
}
