package dev.tollgate.ledger.port;

import dev.tollgate.ledger.append.SourceRange;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.cloudevents.NotACloudEventException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
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
  public void subscribe() throws PortException {
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
    try {
      for (ConsumerRecord<byte[], byte[]> record : sources().poll(timeout)) {
        events.add(sourceEvent(record));
      }
    } catch (KafkaException e) {
      throw KafkaLedgerPort.failure("reading the source topics failed", e);
    }
    return events;
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
