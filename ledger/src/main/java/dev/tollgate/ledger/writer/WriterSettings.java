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
    PayloadSealer sealer) {

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
          sealer
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
        + "]";
  }

  /** The port to the Kafka cluster these settings name. */
  LedgerPort kafkaPort() {
    return new KafkaLedgerPort(connection, sourceTopics, ledgerTopic, groupId, transactionalId);
  }
}
