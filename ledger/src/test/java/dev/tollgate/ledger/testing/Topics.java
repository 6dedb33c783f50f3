package dev.tollgate.ledger.testing;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TollgateTopics;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain producers and readers for tests: events in, whole topics out. */
public final class Topics {

  private Topics() {}

  /** CloudEvents headers for one of our events. */
  public static Headers ceHeaders(EventType type, String id) {
    return KafkaCloudEvents.headers(
        CloudEventAttributes.of(type, id, URI.create("/test"), null, Instant.now()));
  }

  /** No headers at all. */
  public static Headers noHeaders() {
    return new RecordHeaders();
  }

  /** Sends one record and waits for the broker to acknowledge it. */
  public static RecordMetadata send(
      String bootstrapServers, String topic, String key, Headers headers, byte[] value) {
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
      return producer
          .send(
              new ProducerRecord<>(
                  topic,
                  null,
                  key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                  value,
                  headers))
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not send to " + topic, e);
    }
  }

  /** Writes these values, in order, to partition 0 of a topic (non-transactionally). */
  public static void writeValues(String bootstrapServers, String topic, List<byte[]> values) {
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
      for (byte[] value : values) {
        producer.send(new ProducerRecord<>(topic, 0, null, value));
      }
      producer.flush();
    }
  }

  /** Every committed record of partition 0, from the start to the current end. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      String bootstrapServers, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(partition) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() < end) {
            records.add(record);
          }
        }
      }
    }
    return records;
  }

  /** The values of {@link #readAll}. */
  public static List<byte[]> values(String bootstrapServers, String topic) {
    return readAll(bootstrapServers, topic).stream().map(ConsumerRecord::value).toList();
  }

  /**
   * Copies a ledger topic to a new one, passing the list of values through {@code edit} first, and
   * returns the copy's name: how tests tamper with a stored chain.
   */
  public static String copyLedger(
      EmbeddedKafka kafka, String topic, UnaryOperator<List<byte[]>> edit) {
    List<byte[]> values = new ArrayList<>(values(kafka.bootstrapServers(), topic));
    String copy = create(kafka, EventType.LEDGER_RECORD);
    writeValues(kafka.bootstrapServers(), copy, edit.apply(values));
    return copy;
  }

  /** Creates a topic of this event type under a fresh name and returns the name. */
  public static String create(EmbeddedKafka kafka, EventType type) {
    String name = type.defaultTopic() + "." + UUID.randomUUID();
    kafka.createTopics(List.of(TollgateTopics.topic(type, name)));
    return name;
  }

  /** A copy of the value with the byte at {@code index} changed. */
  public static byte[] flipByte(byte[] value, int index) {
    byte[] flipped = value.clone();
    flipped[index] ^= 0x01;
    return flipped;
  }

  public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
