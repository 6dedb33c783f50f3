package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.port.KafkaLedgerPort;
import dev.tollgate.ledger.port.LedgerPort;
import dev.tollgate.ledger.privacy.PayloadSealer;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a {@link LedgerWriter} connects to and how it behaves.
 *
 * @param bootstrapServers the Kafka brokers
 * @param sourceTopics each source topic with the record kind its events get
 * @param ledgerTopic the one-partition topic the chain is written to
 * @param groupId consumer group for the source topics
 * @param transactionalId fixed transactional id, so a new writer fences the old one
 * @param pollTimeout how long one poll waits for events
 * @param retryBackoff pause after a failed transaction or an unreachable broker
 * @param checkpoints when checkpoints are appended, and under which origin
 * @param dataDir where the tree, offsets and indexes are kept between restarts; when empty they are
 *     held in memory and rebuilt from the whole topic on every start
 * @param connection how every client of the writer authenticates to the brokers ({@link
 *     KafkaClientSettings}); its {@code bootstrap.servers} is {@code bootstrapServers}
 * @param sealer which payload parts the writer seals for erasure, and where it keeps them
 * @param batching how many records one transaction gathers at most, and how long it waits for them
 */
public record WriterSettings(
    String bootstrapServers,
    Map<String, LedgerRecord.Kind> sourceTopics,
    String ledgerTopic,
    String groupId,
    String transactionalId,
    Duration pollTimeout,
    Duration retryBackoff,
    CheckpointPolicy checkpoints,
    Optional<Path> dataDir,
    Map<String, Object> connection,
    PayloadSealer sealer,
    Batching batching) {

  /**
   * How the writer gathers source events into one transaction. Each transaction, offset commit,
   * poll and data-directory write has a fixed cost on the ledger and on the broker, which a few
   * records per transaction at a low rate would each pay: the writer waits up to {@code linger}
   * after the first event it polls for more, up to {@code maxRecords}, and the source consumer asks
   * the broker to hold a fetch for up to {@code linger} until it has a batch's worth of bytes. A
   * record is then on the ledger topic at most about twice {@code linger} plus one transaction
   * after its event was written.
   *
   * @param maxRecords the most source events one transaction records (the consumer's {@code
   *     max.poll.records} too)
   * @param linger how long the writer waits for more events after the first one; zero appends what
   *     each poll returns at once
   */
  public record Batching(int maxRecords, Duration linger) {

    /**
     * 2,000 records or 100 ms: a record waits well under a second; batches of ~25 at 250/s, and a
     * writer draining a backlog pays a transaction's fixed costs once per 2,000 records.
     */
    public static final Batching DEFAULTS = new Batching(2000, Duration.ofMillis(100));

    public Batching {
      if (maxRecords < 1 || linger == null || linger.isNegative()) {
        throw new IllegalArgumentException(
            "a batch holds at least one record and waits no negative time");
      }
    }
  }

  /** Settings with the default {@link Batching}. */
  public WriterSettings(
      String bootstrapServers,
      Map<String, LedgerRecord.Kind> sourceTopics,
      String ledgerTopic,
      String groupId,
      String transactionalId,
      Duration pollTimeout,
      Duration retryBackoff,
      CheckpointPolicy checkpoints,
      Optional<Path> dataDir,
      Map<String, Object> connection,
      PayloadSealer sealer) {
    this(
        bootstrapServers,
        sourceTopics,
        ledgerTopic,
        groupId,
        transactionalId,
        pollTimeout,
        retryBackoff,
        checkpoints,
        dataDir,
        connection,
        sealer,
        Batching.DEFAULTS);
  }

  /** Settings that seal nothing. */
  public WriterSettings(
      String bootstrapServers,
      Map<String, LedgerRecord.Kind> sourceTopics,
      String ledgerTopic,
      String groupId,
      String transactionalId,
      Duration pollTimeout,
      Duration retryBackoff,
      CheckpointPolicy checkpoints,
      Optional<Path> dataDir,
      Map<String, Object> connection) {
    this(
        bootstrapServers,
        sourceTopics,
        ledgerTopic,
        groupId,
        transactionalId,
        pollTimeout,
        retryBackoff,
        checkpoints,
        dataDir,
        connection,
        PayloadSealer.off());
  }

  /** Settings for a broker without authentication. */
  public WriterSettings(
      String bootstrapServers,
      Map<String, LedgerRecord.Kind> sourceTopics,
      String ledgerTopic,
      String groupId,
      String transactionalId,
      Duration pollTimeout,
      Duration retryBackoff,
      CheckpointPolicy checkpoints,
      Optional<Path> dataDir) {
    this(
        bootstrapServers,
        sourceTopics,
        ledgerTopic,
        groupId,
        transactionalId,
        pollTimeout,
        retryBackoff,
        checkpoints,
        dataDir,
        Map.of());
  }

  /** Settings without a data directory: everything is rebuilt from the topic on start. */
  public WriterSettings(
      String bootstrapServers,
      Map<String, LedgerRecord.Kind> sourceTopics,
      String ledgerTopic,
      String groupId,
      String transactionalId,
      Duration pollTimeout,
      Duration retryBackoff,
      CheckpointPolicy checkpoints) {
    this(
        bootstrapServers,
        sourceTopics,
        ledgerTopic,
        groupId,
        transactionalId,
        pollTimeout,
        retryBackoff,
        checkpoints,
        Optional.empty());
  }

  public WriterSettings {
    for (Object value :
        new Object[] {
          bootstrapServers,
          sourceTopics,
          ledgerTopic,
          groupId,
          transactionalId,
          pollTimeout,
          retryBackoff,
          checkpoints,
          dataDir,
          connection,
          sealer,
          batching
        }) {
      if (value == null) {
        throw new IllegalArgumentException("every writer setting is required");
      }
    }
    if (sourceTopics.isEmpty()) {
      throw new IllegalArgumentException("the writer needs at least one source topic");
    }
    if (sourceTopics.containsKey(ledgerTopic)) {
      throw new IllegalArgumentException("the ledger topic cannot be one of its own sources");
    }
    sourceTopics = Map.copyOf(sourceTopics);
    Map<String, Object> clients = new HashMap<>(KafkaClientSettings.connection(connection));
    clients.put("bootstrap.servers", bootstrapServers);
    connection = Map.copyOf(clients);
  }

  /** Names the connection settings but never their values: {@code sasl.jaas.config} is a secret. */
  @Override
  public String toString() {
    return "WriterSettings[bootstrapServers="
        + bootstrapServers
        + ", sourceTopics="
        + sourceTopics
        + ", ledgerTopic="
        + ledgerTopic
        + ", groupId="
        + groupId
        + ", transactionalId="
        + transactionalId
        + ", pollTimeout="
        + pollTimeout
        + ", retryBackoff="
        + retryBackoff
        + ", checkpoints="
        + checkpoints
        + ", dataDir="
        + dataDir
        + ", connection="
        + new TreeSet<>(connection.keySet())
        + ", sealer="
        + sealer
        + ", batching="
        + batching
        + "]";
  }

  /** These settings with another {@link Batching}. */
  public WriterSettings withBatching(Batching other) {
    return new WriterSettings(
        bootstrapServers,
        sourceTopics,
        ledgerTopic,
        groupId,
        transactionalId,
        pollTimeout,
        retryBackoff,
        checkpoints,
        dataDir,
        connection,
        sealer,
        other);
  }

  /** The port to the Kafka cluster these settings name. */
  LedgerPort kafkaPort() {
    return new KafkaLedgerPort(
        connection,
        sourceTopics,
        ledgerTopic,
        groupId,
        transactionalId,
        batching.maxRecords(),
        batching.linger());
  }
}
