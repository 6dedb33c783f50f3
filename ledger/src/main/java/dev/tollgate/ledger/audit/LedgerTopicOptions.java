package dev.tollgate.ledger.audit;

import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the auditor's commands read the ledger from: one set of options for all of them. */
final class LedgerTopicOptions {

  @Option(
      names = "--bootstrap-server",
      paramLabel = "HOST:PORT",
      description = "Kafka broker(s) to read from.")
  String bootstrapServer;

  @Option(
      names = "--command-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties to connect with, as for Kafka's own tools: security.protocol,"
              + " sasl.mechanism, sasl.jaas.config, ssl.* (the auditor's own Kafka user, which"
              + " may only read the ledger topic). Other settings in it are ignored.")
  Path commandConfig;

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
    Map<String, Object> connection = new HashMap<>(clientSettings());
    if (bootstrapServer != null) {
      connection.put("bootstrap.servers", bootstrapServer);
    }
    if (!connection.containsKey("bootstrap.servers")) {
      throw new LedgerTopicException("--bootstrap-server is required to read a ledger topic");
    }
    return new LedgerTopicReader(connection, topic, timeout);
  }

  /** What --command-config says; the message names the file, never what it holds. */
  private Map<String, Object> clientSettings() throws LedgerTopicException {
    if (commandConfig == null) {
      return Map.of();
    }
    try {
      return KafkaClientSettings.fromFile(commandConfig);
    } catch (IOException e) {
      throw new LedgerTopicException(
          "cannot read --command-config " + commandConfig + ": " + e.getClass().getSimpleName(), e);
    }
  }
}
