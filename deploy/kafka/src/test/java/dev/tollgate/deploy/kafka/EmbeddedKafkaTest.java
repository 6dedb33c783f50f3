package dev.tollgate.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.builder().topics(TollgateTopics.all()).start();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void transactions_committedVisibleAbortedNot_underReadCommitted() throws Exception {
    String topic = "tx-test";
    kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
    Map<String, Object> producerProps = kafka.clientProperties();
    producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test-writer");
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "committed"));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "aborted"));
      producer.flush();
      producer.abortTransaction();
    }

    assertThat(readAll(topic, "read_committed")).containsExactly("committed");
    assertThat(readAll(topic, "read_uncommitted")).containsExactly("committed", "aborted");
  }

  @Test
  void topics_ledgerHasOnePartitionOthersThree() throws Exception {
    try (var admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientProperties())) {
      var topics =
          admin
              .describeTopics(List.of("tollgate.ledger.v1", "tollgate.triggers.v1"))
              .allTopicNames()
              .get();
      assertThat(topics.get("tollgate.ledger.v1").partitions()).hasSize(1);
      assertThat(topics.get("tollgate.triggers.v1").partitions()).hasSize(3);
    }
  }

  @Test
  void restart_sameDataDir_keepsRecords(@TempDir Path dir) throws Exception {
    String topic = "restart-test";
    try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(dir).start()) {
      first.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
      produce(first, topic, "before restart");
    }
    try (EmbeddedKafka second = EmbeddedKafka.builder().dataDir(dir).start()) {
      assertThat(readAll(second, topic, "read_committed")).containsExactly("before restart");
    }
    assertThat(Files.exists(dir.resolve("data"))).as("a given data dir is kept").isTrue();
  }

  private static void produce(EmbeddedKafka broker, String topic, String value) throws Exception {
    Map<String, Object> props = broker.clientProperties();
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      producer.send(new ProducerRecord<>(topic, value)).get();
    }
  }

  private static List<String> readAll(String topic, String isolation) {
    return readAll(kafka, topic, isolation);
  }

  static List<String> readAll(EmbeddedKafka broker, String topic, String isolation) {
    Map<String, Object> props = broker.clientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(
              new String(r.value().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
      }
    }
    return values;
  }
}
