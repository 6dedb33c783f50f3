package dev.tollgate.ledger.append;

import java.time.Duration;

/**
 * When the writer appends a checkpoint record: after every {@code everyRecords} records (checkpoint
 * records not counted), or once {@code interval} has passed since the last one if any record was
 * appended since. Either way the checkpoint goes into the same Kafka transaction as the records it
 * covers.
 *
 * @param origin the checkpoint origin, also the signed-note key name
 * @param everyRecords records between two checkpoints at most
 * @param interval longest time a record waits for a checkpoint (as long as the writer runs)
 */
public record CheckpointPolicy(String origin, long everyRecords, Duration interval) {

  /** Default records between checkpoints. */
  public static final long DEFAULT_EVERY_RECORDS = 1000;

  /** Default longest wait for a checkpoint. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

  public CheckpointPolicy {
    if (origin == null || origin.isEmpty() || everyRecords < 1 || interval == null) {
      throw new IllegalArgumentException("a checkpoint policy has an origin, N >= 1 and T");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the checkpoint interval must be positive");
    }
  }

  /** The default origin of a ledger topic: {@code tollgate.dev/ledger/<topic>}. */
  public static String defaultOrigin(String ledgerTopic) {
    return "tollgate.dev/ledger/" + ledgerTopic;
  }

  /** The defaults for a ledger topic. */
  public static CheckpointPolicy defaults(String ledgerTopic) {
    return new CheckpointPolicy(
        defaultOrigin(ledgerTopic), DEFAULT_EVERY_RECORDS, DEFAULT_INTERVAL);
  }
}
