package dev.tollgate.ledger.topic;

import dev.tollgate.ledger.checkpoint.SourceGap;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Reads the offsets of a {@link SourceGap} from the source topic, committed records only, as the
 * ledger writer reads them: what the ledger alone cannot tell. No data record there means the
 * offsets held transaction markers or aborted records (nothing to record); a data record there is
 * an event the ledger skipped; offsets below the partition's log start were deleted by retention
 * and can no longer be proven either way.
 */
public final class SourceGapProbe implements AutoCloseable {

  /** What the source topic holds at a gap's offsets. */
  public sealed interface Finding {
    /** The gap. */
    SourceGap gap();
  }

  /** No committed data record: transaction markers or records of aborted transactions. */
  public record NoDataRecord(SourceGap gap) implements Finding {}

  /** Committed data records the ledger never recorded: events it skipped. */
  public record DataRecords(SourceGap gap, List<Long> offsets) implements Finding {}

  /** The offsets from {@code gap.firstOffset()} to {@code logStart - 1} were deleted. */
  public record Deleted(SourceGap gap, long logStart) implements Finding {}

  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Duration timeout;

  /**
   * @param connection the brokers and how to authenticate ({@link KafkaClientSettings}); the user
   *     must be allowed to read the source topics
   * @param timeout the longest wait for the broker without progress
   */
  public SourceGapProbe(Map<String, Object> connection, Duration timeout) {
    Map<String, Object> props = new HashMap<>(KafkaClientSettings.connection(connection));
    props.put(
        ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-auditor-source-probe-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.timeout = timeout;
  }

  /**
   * What the source topic holds at the gap's offsets.
   *
   * @throws LedgerTopicException when the broker cannot be reached or does not answer in time
   */
  public Finding probe(SourceGap gap) throws LedgerTopicException {
    TopicPartition partition = new TopicPartition(gap.topic(), gap.partition());
    try {
      consumer.assign(List.of(partition));
      long logStart = consumer.beginningOffsets(List.of(partition)).get(partition);
      if (gap.firstOffset() < logStart) {
        return new Deleted(gap, logStart);
      }
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long until = Math.min(gap.lastOffset() + 1, end);
      consumer.seek(partition, gap.firstOffset());
      List<Long> found = new ArrayList<>();
      Instant deadline = Instant.now().plus(timeout);
      while (consumer.position(partition) < until) {
        long before = consumer.position(partition);
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          if (record.offset() >= gap.firstOffset() && record.offset() <= gap.lastOffset()) {
            found.add(record.offset());
          }
        }
        if (consumer.position(partition) > before) {
          deadline = Instant.now().plus(timeout);
        } else if (Instant.now().isAfter(deadline)) {
          throw new LedgerTopicException(
              "reading "
                  + partition
                  + " from offset "
                  + before
                  + " made no progress in "
                  + timeout);
        }
      }
      // Offsets beyond the partition's committed end hold nothing the writer could have read.
      return found.isEmpty() ? new NoDataRecord(gap) : new DataRecords(gap, List.copyOf(found));
    } catch (KafkaException e) {
      throw new LedgerTopicException(
          "reading " + partition + " failed: " + e.getClass().getSimpleName(), e);
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
