package dev.tollgate.ledger.port;

import dev.tollgate.schemas.ledger.LedgerRecord;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The writer's port on a real Kafka cluster: one transactional producer per session, a consumer of
 * the source topics in the writer's group (read_committed, offsets committed only inside the
 * writer's transactions) and a reader of the ledger topic for recovery.
 */
public final class KafkaLedgerPort implements LedgerPort {

  /** CloudEvents source of ledger records. */
  public static final URI SOURCE = URI.create("/tollgate/ledger");

  static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);

  private final Map<String, Object> connection;
  private final Map<String, LedgerRecord.Kind> sourceTopics;
  private final String ledgerTopic;
  private final String groupId;
  private final String transactionalId;

  /**
   * @param connection what every client needs to reach the cluster: {@code bootstrap.servers} and
   *     the client security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*})
   * @param sourceTopics each source topic with the record kind its events get
   * @param ledgerTopic the one-partition topic the chain is written to
   * @param groupId consumer group for the source topics
   * @param transactionalId fixed transactional id, so a new writer fences the old one
   */
  public KafkaLedgerPort(
      Map<String, Object> connection,
      Map<String, LedgerRecord.Kind> sourceTopics,
      String ledgerTopic,
      String groupId,
      String transactionalId) {
    this.connection = Map.copyOf(connection);
    this.sourceTopics = Map.copyOf(sourceTopics);
    this.ledgerTopic = ledgerTopic;
    this.groupId = groupId;
    this.transactionalId = transactionalId;
  }

  @Override
  public LedgerSession open() throws PortException {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
    } catch (KafkaException e) {
      producer.close();
      throw failure("cannot initialise ledger transactions", e);
    }
    return new KafkaLedgerSession(this, producer);
  }

  Map<String, Object> connection() {
    return connection;
  }

  Map<String, LedgerRecord.Kind> sourceTopics() {
    return sourceTopics;
  }

  String ledgerTopic() {
    return ledgerTopic;
  }

  /** What every client of the writer needs to reach the cluster. */
  private Map<String, Object> clientProperties() {
    return new HashMap<>(connection);
  }

  private Map<String, Object> producerProperties() {
    Map<String, Object> props = clientProperties();
    props.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LedgerRecord.MAX_BYTES);
    return props;
  }

  Map<String, Object> consumerProperties() {
    Map<String, Object> props = clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    // Static membership: a writer restarted after a crash takes its partitions back at once
    // instead of waiting for the dead member's session to time out; one writer per chain anyway.
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, transactionalId);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  /**
   * The port's reading of a client failure: fenced, woken up, or worth another try; {@code what}
   * failed, or when null the message is the client's own.
   */
  static PortException failure(String what, KafkaException e) {
    String message = what == null ? e.toString() : what + " (" + e + ")";
    if (e instanceof WakeupException) {
      return new PortException(PortException.Reason.WOKEN_UP, message, e);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException) {
        return new PortException(PortException.Reason.FENCED, message, e);
      }
    }
    return new PortException(PortException.Reason.FAILED, message, e);
  }
}
