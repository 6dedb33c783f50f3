package dev.tollgate.ledger.topic;

import dev.tollgate.schemas.kafka.KafkaClientSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Fetches single committed records of the ledger topic by offset, for serving entries: one consumer
 * without a group, opened on first use and shared by all callers one at a time.
 */
public final class LedgerEntryFetcher implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Map<String, Object> connection;
  private final TopicPartition partition;
  private KafkaConsumer<byte[], byte[]> consumer;
  private boolean closed;

  /** A fetcher that reaches the brokers with these connection and security settings. */
  public LedgerEntryFetcher(Map<String, Object> connection, String topic) {
    this.connection = KafkaClientSettings.connection(connection);
    this.partition = new TopicPartition(topic, 0);
  }

  /**
   * The value of the committed record at this offset of partition 0.
   *
   * @throws LedgerTopicException when the broker cannot be reached in time or holds no committed
   *     record at that offset
   */
  public synchronized byte[] fetch(long offset) throws LedgerTopicException {
    if (closed) {
      throw new LedgerTopicException("the entry fetcher is closed");
    }
    try {
      if (consumer == null) {
        consumer = newConsumer();
        consumer.assign(List.of(partition));
      }
      consumer.seek(partition, offset);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(partition)) {
          if (record.offset() == offset) {
            return record.value() == null ? new byte[0] : record.value();
          }
          if (record.offset() > offset) {
            throw new LedgerTopicException(
                "no committed record at offset " + offset + " of " + partition);
          }
        }
      }
    } catch (KafkaException e) {
      throw new LedgerTopicException("cannot read " + partition + ": " + e.getMessage(), e);
    }
    throw new LedgerTopicException("timed out reading offset " + offset + " of " + partition);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (consumer != null) {
      consumer.close();
      consumer = null;
    }
  }

  private KafkaConsumer<byte[], byte[]> newConsumer() {
    Map<String, Object> props = new HashMap<>(connection);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-ledger-entries-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
