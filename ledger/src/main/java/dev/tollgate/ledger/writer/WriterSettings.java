package dev.tollgate.ledger.writer;

import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Duration;
import java.util.Map;

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
 */
public record WriterSettings(
    String bootstrapServers,
    Map<String, LedgerRecord.Kind> sourceTopics,
    String ledgerTopic,
    String groupId,
    String transactionalId,
    Duration pollTimeout,
    Duration retryBackoff,
    CheckpointPolicy checkpoints) {

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
          checkpoints
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
  }
}
