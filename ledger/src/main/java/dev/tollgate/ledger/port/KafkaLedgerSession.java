package dev.tollgate.ledger.port;

import dev.tollgate.ledger.append.SourceRange;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.cloudevents.NotACloudEventException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/** A {@link LedgerSession} on a transactional Kafka producer; see {@link KafkaLedgerPort}. */
final class KafkaLedgerSession implements LedgerSession {

  private static final Logger LOG = Logger.getLogger(KafkaLedgerSession.class);

  private final KafkaLedgerPort port;
  private final KafkaProducer<byte[], byte[]> producer;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile LedgerTopicReader reader;
  private volatile boolean wokenUp;
  private static final Duration RETENTION_TIMEOUT = Duration.ofSeconds(10);
  private Set<SourceAccounting.Partition> consumedBefore = Set.of();
  private volatile Instant oldestPolled;
  private volatile Duration retention;

  KafkaLedgerSession(KafkaLedgerPort port, KafkaProducer<byte[], byte[]> producer) {
    this.port = port;
    this.producer = producer;
  }

  @Override
  public <E extends Exception> long readLedger(
      long fromOffset, LedgerTopicReader.Visitor<E> visitor) throws LedgerTopicException, E {
    try (LedgerTopicReader topic =
        new LedgerTopicReader(
            port.connection(), port.ledgerTopic(), KafkaLedgerPort.RECOVERY_TIMEOUT)) {
      reader = topic;
      if (wokenUp) {
        throw new LedgerTopicException("reading " + port.ledgerTopic() + " was stopped");
      }
      return topic.readFrom(fromOffset, visitor);
    } finally {
      reader = null;
    }
  }

  @Override
  public void subscribe(Set<SourceAccounting.Partition> consumedBefore) throws PortException {
    this.consumedBefore = Set.copyOf(consumedBefore);
    this.retention = readRetention();
    KafkaConsumer<byte[], byte[]> sources =
        new KafkaConsumer<>(
            port.consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer = sources;
    if (wokenUp) {
      sources.wakeup();
    }
    try {
      sources.subscribe(List.copyOf(port.sourceTopics().keySet()));
    } catch (KafkaException e) {
      throw KafkaLedgerPort.failure("reading the source topics failed", e);
    }
  }

  @Override
  public List<SourceEvent> poll(Duration timeout) throws PortException {
    List<SourceEvent> events = new ArrayList<>();
    long oldest = Long.MAX_VALUE;
    try {
      for (ConsumerRecord<byte[], byte[]> record : sources().poll(timeout)) {
        events.add(sourceEvent(record));
        oldest = Math.min(oldest, record.timestamp());
      }
    } catch (NoOffsetForPartitionException e) {
      startNewPartitions(e.partitions());
      return List.of();
    } catch (OffsetOutOfRangeException e) {
      throw new PortException(
          PortException.Reason.POSITION_LOST,
          "the committed positions "
              + e.offsetOutOfRangePartitions()
              + " of the source topics were deleted by retention before the ledger recorded them",
          e);
    } catch (KafkaException e) {
      throw KafkaLedgerPort.failure("reading the source topics failed", e);
    }
    oldestPolled = events.isEmpty() ? null : Instant.ofEpochMilli(oldest);
    return events;
  }

  /**
   * Partitions without a committed position: from the beginning when the ledger never consumed
   * them; otherwise the group lost its positions and resuming anywhere could skip events.
   */
  private void startNewPartitions(Set<TopicPartition> partitions) throws PortException {
    List<TopicPartition> lost = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      if (consumedBefore.contains(
          new SourceAccounting.Partition(partition.topic(), partition.partition()))) {
        lost.add(partition);
      }
    }
    if (!lost.isEmpty()) {
      throw new PortException(
          PortException.Reason.POSITION_LOST,
          "the consumer group has no committed position for "
              + lost
              + ", which the ledger consumed before (was the group deleted or did its offsets"
              + " expire?)");
    }
    LOG.infof(
        "source partitions %s were never consumed; reading them from the beginning", partitions);
    try {
      sources().seekToBeginning(partitions);
    } catch (KafkaException e) {
      throw KafkaLedgerPort.failure("reading the source topics failed", e);
    }
  }

  @Override
  public Optional<Instant> oldestPolled() {
    return Optional.ofNullable(oldestPolled);
  }

  @Override
  public Optional<Duration> sourceRetention() {
    return Optional.ofNullable(retention);
  }

  private Duration readRetention() {
    List<ConfigResource> topics =
        port.sourceTopics().keySet().stream()
            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
            .toList();
    try (Admin admin = Admin.create(port.adminProperties())) {
      Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(topics)
              .all()
              .get(RETENTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long shortest = Long.MAX_VALUE;
      for (Config config : configs.values()) {
        ConfigEntry entry = config.get(TopicConfig.RETENTION_MS_CONFIG);
        if (entry != null && entry.value() != null && Long.parseLong(entry.value()) >= 0) {
          shortest = Math.min(shortest, Long.parseLong(entry.value()));
        }
      }
      return shortest == Long.MAX_VALUE ? null : Duration.ofMillis(shortest);
    } catch (ExecutionException | TimeoutException | KafkaException | NumberFormatException e) {
      LOG.warnf(
          "cannot read retention.ms of the source topics (%s); the retention headroom is unknown",
          e.getClass().getSimpleName());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public long lag() throws PortException {
    KafkaConsumer<byte[], byte[]> sources = consumer;
    if (sources == null) {
      return 0;
    }
    long total = 0;
    try {
      for (TopicPartition partition : sources.assignment()) {
        total += sources.currentLag(partition).orElse(0);
      }
    } catch (KafkaException e) {
      throw KafkaLedgerPort.failure("reading the source topics failed", e);
    }
    return total;
  }

  @Override
  public List<Long> commit(StagedBatch batch) throws PortException {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try {
      producer.beginTransaction();
      for (StagedRecord record : batch.records()) {
        sent.add(producer.send(ledgerRecord(record)));
      }
      if (!batch.consumed().isEmpty()) {
        producer.sendOffsetsToTransaction(nextOffsets(batch.consumed()), sources().groupMetadata());
      }
      producer.commitTransaction();
    } catch (KafkaException e) {
      throw KafkaLedgerPort.failure(null, e);
    }
    List<Long> offsets = new ArrayList<>(sent.size());
    for (Future<RecordMetadata> metadata : sent) {
      offsets.add(offsetOf(metadata));
    }
    return offsets;
  }

  @Override
  public void abort() throws PortException {
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      throw KafkaLedgerPort.failure("aborting the ledger transaction failed", e);
    }
  }

  @Override
  public void rewind(List<SourceRange> consumed) {
    // Every record before the range was committed with the previous transaction, so its first
    // offset is the partition's last committed position.
    for (SourceRange range : consumed) {
      sources().seek(new TopicPartition(range.topic(), range.partition()), range.firstOffset());
    }
  }

  @Override
  public void wakeup() {
    wokenUp = true;
    KafkaConsumer<byte[], byte[]> polling = consumer;
    if (polling != null) {
      polling.wakeup();
    }
    LedgerTopicReader recovering = reader;
    if (recovering != null) {
      recovering.wakeup();
    }
  }

  @Override
  public void close() {
    KafkaConsumer<byte[], byte[]> sources = consumer;
    consumer = null;
    if (sources != null) {
      sources.close();
    }
    producer.close();
  }

  private KafkaConsumer<byte[], byte[]> sources() {
    KafkaConsumer<byte[], byte[]> sources = consumer;
    if (sources == null) {
      throw new IllegalStateException("the session reads no source topics before subscribe()");
    }
    return sources;
  }

  private ProducerRecord<byte[], byte[]> ledgerRecord(StagedRecord record) {
    return new ProducerRecord<>(
        port.ledgerTopic(),
        (Integer) null,
        (byte[]) null,
        record.value(),
        KafkaCloudEvents.headers(
            CloudEventAttributes.of(
                EventType.LEDGER_RECORD,
                "ledger:" + record.seq(),
                KafkaLedgerPort.SOURCE,
                record.eventId(),
                record.time())));
  }

  private SourceEvent sourceEvent(ConsumerRecord<byte[], byte[]> record) {
    LedgerRecord.Kind kind = port.sourceTopics().get(record.topic());
    if (kind == null) {
      throw new IllegalStateException("polled " + record.topic() + ", which is not a source topic");
    }
    LedgerRecord.SourcePosition position =
        new LedgerRecord.SourcePosition(record.topic(), record.partition(), record.offset());
    try {
      CloudEventAttributes attributes = KafkaCloudEvents.read(record.headers());
      return new SourceEvent(
          kind, attributes.id(), attributes.type(), position, record.value(), record.headers());
    } catch (NotACloudEventException e) {
      // Fail closed: an event without a usable id is still recorded, under its position.
      String eventId = SourceEvent.positionId(record.topic(), record.partition(), record.offset());
      LOG.warnf(
          "event at %s has no usable CloudEvents id (%s); recording it with event id %s",
          eventId, e.getMessage(), eventId);
      return new SourceEvent(kind, eventId, null, position, record.value(), record.headers());
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<SourceRange> consumed) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (SourceRange range : consumed) {
      offsets.put(
          new TopicPartition(range.topic(), range.partition()),
          new OffsetAndMetadata(range.nextOffset()));
    }
    return offsets;
  }

  private static long offsetOf(Future<RecordMetadata> record) {
    try {
      // The transaction committed, so every send in it completed.
      return record.get().offset();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a send of a committed transaction failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the offset of a committed record", e);
    }
  }
}
