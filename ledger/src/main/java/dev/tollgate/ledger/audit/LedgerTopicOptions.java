package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where the auditor's commands read the ledger from: one set of options for all of them. */
final class LedgerTopicOptions {

  @Option(
      names = "--bootstrap-server",
      paramLabel = "HOST:PORT",
      description = "Kafka broker(s) to read from.")
  String bootstrapServer;

  @Option(
      names = "--topic",
      defaultValue = "tollgate.ledger.v1",
      paramLabel = "TOPIC",
      description = "Ledger topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--timeout",
      defaultValue = "PT30S",
      paramLabel = "DURATION",
      description = "How long to wait for the broker, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  /** A reader of the whole topic, from its first record to its current end. */
  LedgerTopicReader open() throws LedgerTopicException {
    if (bootstrapServer == null) {
      throw new LedgerTopicException("--bootstrap-server is required to read a ledger topic");
    }
    return new LedgerTopicReader(bootstrapServer, topic, timeout);
  }
}
