package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.LedgerConfig;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.signing.PreviousSigners;
import dev.tollgate.ledger.topic.LedgerEntryFetcher;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.ledger.LedgerRecord;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs the {@link LedgerWriter} for the life of the Quarkus application: starts it once the
 * application is up, stops it cleanly on shutdown, and publishes its counters.
 */
@ApplicationScoped
public class LedgerService {

  /** Prometheus {@code tollgate_ledger_writer_lag_events}: source events not yet appended. */
  public static final String WRITER_LAG = "tollgate.ledger.writer.lag.events";

  /** Prometheus {@code tollgate_ledger_writer_fenced_total}: times this writer was fenced. */
  public static final String WRITER_FENCED = "tollgate.ledger.writer.fenced";

  /** Prometheus {@code tollgate_ledger_writer_writing}: 1 while the writer appends. */
  public static final String WRITER_WRITING = "tollgate.ledger.writer.writing";

  private final LedgerWriter writer;
  private final RecordSigner signer;
  private final LedgerEntryFetcher entries;

  @Inject
  public LedgerService(
      LedgerConfig config,
      LedgerSigner signer,
      PreviousSigners previousSigners,
      MeterRegistry registry,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @Identifier("default-kafka-broker") Map<String, Object> kafka) {
    Map<String, Object> connection = KafkaClientSettings.connection(kafka);
    this.signer = signer;
    this.writer =
        new LedgerWriter(
            settings(config, bootstrapServers, connection),
            signer,
            previousSigners.signers(),
            Clock.systemUTC());
    this.entries = new LedgerEntryFetcher(connection, config.topics().ledger());
    registerMetrics(registry, writer);
  }

  /** Publishes the writer's counters, gauges and state under their Prometheus names. */
  static void registerMetrics(MeterRegistry registry, LedgerWriter writer) {
    FunctionCounter.builder("tollgate.ledger.records.appended", writer, LedgerWriter::appendedCount)
        .description("Ledger records appended and committed")
        .register(registry);
    FunctionCounter.builder(
            "tollgate.ledger.duplicates.skipped", writer, LedgerWriter::duplicatesSkippedCount)
        .description("Source events skipped because the ledger already records them")
        .register(registry);
    Gauge.builder(WRITER_LAG, writer, LedgerWriter::lag)
        .description("Source events not yet appended to the ledger, as of the writer's last poll")
        .register(registry);
    FunctionCounter.builder(WRITER_FENCED, writer, LedgerWriter::fencedCount)
        .description("Times the writer was fenced by another writer with its transactional id")
        .register(registry);
    Gauge.builder(WRITER_WRITING, writer, w -> w.state() == WriterState.WRITING ? 1 : 0)
        .description("1 while the writer appends; 0 while it recovers or after it stopped for good")
        .register(registry);
  }

  static WriterSettings settings(
      LedgerConfig config, String bootstrapServers, Map<String, Object> connection) {
    LedgerConfig.Topics topics = config.topics();
    return new WriterSettings(
        bootstrapServers,
        Map.of(
            topics.triggers(), LedgerRecord.Kind.TRIGGER,
            topics.rejections(), LedgerRecord.Kind.REJECTION,
            topics.decisions(), LedgerRecord.Kind.DECISION,
            topics.runs(), LedgerRecord.Kind.RUN),
        topics.ledger(),
        config.groupId(),
        config.transactionalId(),
        config.pollTimeout(),
        config.retryBackoff(),
        new CheckpointPolicy(
            config.checkpoint().origin(),
            config.checkpoint().everyRecords(),
            config.checkpoint().interval()),
        config.dataDir(),
        connection);
  }

  void onStart(@Observes StartupEvent event) {
    writer.start();
  }

  void onStop(@Observes ShutdownEvent event) {
    writer.close();
    entries.close();
  }

  /** The running writer. */
  public LedgerWriter writer() {
    return writer;
  }

  /** Reads committed records from the ledger topic by offset. */
  public LedgerEntryFetcher entries() {
    return entries;
  }

  /** The signer whose public key verifies this ledger. */
  public RecordSigner signer() {
    return signer;
  }
}
