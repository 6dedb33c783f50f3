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

  /** About the size of a trigger event with a GitHub push body, for fetch sizing only. */
  private static final int TYPICAL_EVENT_BYTES = 4096;

  private static final int BATCH_BYTES = 1 << 20;

  private final Map<String, Object> connection;
  private final Map<String, LedgerRecord.Kind> sourceTopics;
  private final String ledgerTopic;
  private final String groupId;
  private final String transactionalId;
  private final int maxRecords;
  private final Duration linger;

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
    this(connection, sourceTopics, ledgerTopic, groupId, transactionalId, 500, Duration.ZERO);
  }

  /**
   * As above, with the source consumer fetching at most {@code maxRecords} per poll and asking the
   * broker to hold a fetch for up to {@code linger} until it has about that many records' bytes, so
   * that a low event rate does not cost a fetch round trip per event.
   */
  public KafkaLedgerPort(
      Map<String, Object> connection,
      Map<String, LedgerRecord.Kind> sourceTopics,
      String ledgerTopic,
      String groupId,
      String transactionalId,
      int maxRecords,
      Duration linger) {
    if (maxRecords < 1 || linger.isNegative()) {
      throw new IllegalArgumentException("a poll takes at least one record, in no negative time");
    }
    this.connection = Map.copyOf(connection);
    this.sourceTopics = Map.copyOf(sourceTopics);
    this.ledgerTopic = ledgerTopic;
    this.groupId = groupId;
    this.transactionalId = transactionalId;
    this.maxRecords = maxRecords;
    this.linger = linger;
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
    // A transaction's records go to the broker in batches of 1 MiB rather than of 16 KB, three
    // records of a 4 KB push each: the broker's cost is per batch and per request. (A larger
    // record gets a batch of its own.)
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
    return props;
  }

  Map<String, Object> adminProperties() {
    return clientProperties();
  }

  Map<String, Object> consumerProperties() {
    Map<String, Object> props = clientProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    // Static membership: a writer restarted after a crash takes its partitions back at once
    // instead of waiting for the dead member's session to time out; one writer per chain anyway.
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, transactionalId);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Never reset silently: a partition without a committed position starts at its beginning only
    // when the ledger never consumed it (KafkaLedgerSession#poll); otherwise the writer stops.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxRecords);
    // A full batch of typical events in one fetch per partition (the default is 1 MiB).
    props.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        (int)
            Math.min(Integer.MAX_VALUE, Math.max(1L << 20, 2L * maxRecords * TYPICAL_EVENT_BYTES)));
    if (!linger.isZero()) {
      // The broker answers a fetch once it holds a batch's bytes or after the linger, instead of
      // at every single event: fewer fetch round trips on both sides at a low rate.
      props.put(
          ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
          (int) Math.min(Integer.MAX_VALUE, (long) maxRecords * TYPICAL_EVENT_BYTES));
      props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) Math.max(1, linger.toMillis()));
    }
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
