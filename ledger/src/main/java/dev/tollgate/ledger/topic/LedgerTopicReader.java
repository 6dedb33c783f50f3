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
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the ledger topic from its first record to the end it has when reading starts, committed
 * records only, without a consumer group: the writer to recover its chain, the auditor to verify
 * it. The topic must have exactly one partition, because one partition is one chain.
 */
public final class LedgerTopicReader implements AutoCloseable {

  /** Receives each record value in topic order. */
  @FunctionalInterface
  public interface Visitor<E extends Exception> {
    /** Called once per record. Throwing stops the read. */
    void visit(long offset, byte[] value) throws E;
  }

  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final Duration timeout;

  /**
   * @param bootstrapServers where the broker is
   * @param topic the ledger topic
   * @param timeout how long the broker may take to answer, and the longest wait without progress
   */
  public LedgerTopicReader(String bootstrapServers, String topic, Duration timeout) {
    this(KafkaClientSettings.plaintext(bootstrapServers), topic, timeout);
  }

  /**
   * @param connection the brokers and how to authenticate ({@link KafkaClientSettings})
   * @param topic the ledger topic
   * @param timeout how long the broker may take to answer, and the longest wait without progress
   */
  public LedgerTopicReader(Map<String, Object> connection, String topic, Duration timeout) {
    Map<String, Object> props = new HashMap<>(KafkaClientSettings.connection(connection));
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-ledger-reader-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.topic = topic;
    this.timeout = timeout;
  }

  /**
   * Hands every committed record, from offset 0 to the end at the start of the call, to the
   * visitor.
   *
   * @return the number of records visited
   * @throws LedgerTopicException when the broker cannot be reached or the topic is not a ledger
   * @throws E when the visitor throws, which ends the read at that record
   */
  public <E extends Exception> long readAll(Visitor<E> visitor) throws LedgerTopicException, E {
    return readFrom(0, visitor);
  }

  /**
   * Hands every committed record from offset {@code fromOffset} to the end at the start of the call
   * to the visitor: how the writer catches up from the position it kept on disk.
   *
   * @return the number of records visited
   * @throws LedgerTopicException when the broker cannot be reached or the topic is not a ledger
   * @throws E when the visitor throws, which ends the read at that record
   */
  public <E extends Exception> long readFrom(long fromOffset, Visitor<E> visitor)
      throws LedgerTopicException, E {
    TopicPartition partition = new TopicPartition(topic, 0);
    long end;
    try {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
      if (partitions == null || partitions.isEmpty()) {
        throw new LedgerTopicException("topic " + topic + " does not exist");
      }
      if (partitions.size() != 1) {
        throw new LedgerTopicException(
            "topic "
                + topic
                + " has "
                + partitions.size()
                + " partitions; a ledger topic has exactly one");
      }
      consumer.assign(List.of(partition));
      if (fromOffset == 0) {
        consumer.seekToBeginning(List.of(partition));
      } else {
        consumer.seek(partition, fromOffset);
      }
      end = consumer.endOffsets(List.of(partition), timeout).get(partition);
    } catch (WakeupException e) {
      throw new LedgerTopicException("reading " + topic + " was stopped", e);
    } catch (KafkaException e) {
      throw new LedgerTopicException("cannot reach topic " + topic + ": " + e.getMessage(), e);
    }
    long visited = 0;
    long lastPosition = -1;
    long lastProgress = System.nanoTime();
    try {
      for (long position = consumer.position(partition, timeout);
          position < end;
          position = consumer.position(partition, timeout)) {
        if (position != lastPosition) {
          lastPosition = position;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
          throw new LedgerTopicException(
              "no progress reading " + topic + " for " + timeout + " at offset " + position);
        }
        List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(POLL).records(partition);
        for (ConsumerRecord<byte[], byte[]> record : records) {
          if (record.offset() >= end) {
            return visited;
          }
          visitor.visit(record.offset(), record.value() == null ? new byte[0] : record.value());
          visited++;
        }
      }
    } catch (WakeupException e) {
      throw new LedgerTopicException("reading " + topic + " was stopped", e);
    } catch (KafkaException e) {
      throw new LedgerTopicException("cannot read topic " + topic + ": " + e.getMessage(), e);
    }
    return visited;
  }

  /** Makes a running {@link #readAll} stop with a {@link LedgerTopicException}; any thread. */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
