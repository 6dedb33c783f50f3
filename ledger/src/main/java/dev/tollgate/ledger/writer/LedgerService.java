package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.EventTrustConfig;
import dev.tollgate.ledger.LedgerConfig;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.privacy.PayloadSealer;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.signing.PreviousSigners;
import dev.tollgate.ledger.topic.LedgerEntryFetcher;
import dev.tollgate.ledger.trust.SourceTrust;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.ledger.LedgerRecord;
import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventKeyRing;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the {@link LedgerWriter} for the life of the Quarkus application: starts it once the
 * application is up, stops it cleanly on shutdown, and publishes its counters.
 */
@ApplicationScoped
public class LedgerService {

  /**
   * Prometheus {@code tollgate_ledger_events_conflicting_total}: events recorded under an id the
   * ledger held with other content.
   */
  public static final String EVENTS_CONFLICTING = "tollgate.ledger.events.conflicting";

  /**
   * Prometheus {@code tollgate_ledger_writer_source_position_lost}: 1 once the writer stopped for a
   * lost source position.
   */
  public static final String WRITER_POSITION_LOST = "tollgate.ledger.writer.source.position.lost";

  /**
   * Prometheus {@code tollgate_ledger_source_retention_headroom_seconds}: time left before source
   * retention may delete the oldest unrecorded event.
   */
  public static final String RETENTION_HEADROOM =
      "tollgate.ledger.source.retention.headroom.seconds";

  /** Prometheus {@code tollgate_ledger_writer_lag_events}: source events not yet appended. */
  public static final String WRITER_LAG = "tollgate.ledger.writer.lag.events";

  /** Prometheus {@code tollgate_ledger_writer_fenced_total}: times this writer was fenced. */
  public static final String WRITER_FENCED = "tollgate.ledger.writer.fenced";

  /** Prometheus {@code tollgate_ledger_writer_writing}: 1 while the writer appends. */
  public static final String WRITER_WRITING = "tollgate.ledger.writer.writing";

  /**
   * Prometheus {@code tollgate_ledger_records_injected_total}: values on the ledger topic that are
   * not the ledger's records (garbage, or not signed by the ledger key), found on recovery.
   */
  public static final String RECORDS_INJECTED = "tollgate.ledger.records.injected";

  /**
   * Prometheus {@code tollgate_ledger_events_unauthenticated_total}: source events recorded as
   * evidence whose signature did not verify under a key trusted for their topic.
   */
  public static final String EVENTS_UNAUTHENTICATED = "tollgate.ledger.events.unauthenticated";

  private static final Logger LOG = Logger.getLogger(LedgerService.class);

  private final LedgerWriter writer;
  private final RecordSigner signer;
  private final LedgerEntryFetcher entries;

  @Inject
  public LedgerService(
      LedgerConfig config,
      EventTrustConfig trust,
      LedgerSigner signer,
      PreviousSigners previousSigners,
      MeterRegistry registry,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
      @Identifier("default-kafka-broker") Map<String, Object> kafka)
      throws EventKeyException {
    Map<String, Object> connection = KafkaClientSettings.connection(kafka);
    this.signer = signer;
    this.writer =
        new LedgerWriter(
            settings(config, bootstrapServers, connection),
            signer,
            previousSigners.signers(),
            sourceTrust(trust),
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
    FunctionCounter.builder(EVENTS_CONFLICTING, writer, LedgerWriter::conflictingCount)
        .description(
            "Source events recorded although the ledger held their id with other content"
                + " (records marked conflictsWith)")
        .register(registry);
    Gauge.builder(
            WRITER_POSITION_LOST,
            writer,
            w -> w.state() == WriterState.SOURCE_POSITION_LOST ? 1 : 0)
        .description(
            "1 once the writer stopped because a source partition it consumed before lost its"
                + " committed position")
        .register(registry);
    Gauge.builder(RETENTION_HEADROOM, writer, LedgerWriter::retentionHeadroomSeconds)
        .description(
            "Seconds until source retention may delete the oldest event not yet recorded"
                + " (shortest source retention.ms less that event's age)")
        .register(registry);
    FunctionCounter.builder(RECORDS_INJECTED, writer, LedgerWriter::injectedCount)
        .description(
            "Values on the ledger topic that are not the ledger's records (garbage, not signed by"
                + " the ledger key, or copies), found and skipped by the writer's recovery")
        .register(registry);
    FunctionCounter.builder(EVENTS_UNAUTHENTICATED, writer, LedgerWriter::unauthenticatedCount)
        .description(
            "Source events recorded as evidence whose signature did not verify under a key"
                + " trusted for their topic")
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

  /**
   * The event-signing keys trusted per source topic. A key file that cannot be read stops the
   * service; a signer with no key configured leaves every event of its topics unauthenticated
   * (recorded, flagged, never admitting), which is logged.
   */
  static SourceTrust sourceTrust(EventTrustConfig config) throws EventKeyException {
    SourceTrust trust =
        SourceTrust.of(
            ring(SourceTrust.GATEWAY, config.gatewayKeys()),
            ring(SourceTrust.VERIFIER, config.verifierKeys()),
            ring(SourceTrust.RUN_WATCH, config.runWatchKeys()));
    for (LedgerRecord.Kind kind :
        List.of(LedgerRecord.Kind.TRIGGER, LedgerRecord.Kind.DECISION, LedgerRecord.Kind.RUN)) {
      EventKeyRing ring = trust.ring(kind);
      if (ring.isEmpty()) {
        LOG.warnf(
            "no %s event-signing key is trusted (tollgate.trust.%s-keys): every %s event is"
                + " recorded as unauthenticated and never counts as the %s's",
            ring.signer(), ring.signer(), kind.wire(), ring.signer());
      } else {
        LOG.infof("trusting %s event keys %s", ring.signer(), ring.keys().keySet());
      }
    }
    return trust;
  }

  private static EventKeyRing ring(String signer, Optional<List<Path>> files)
      throws EventKeyException {
    return EventKeyRing.read(signer, files.orElse(List.of()));
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
        connection,
        sealer(config.privacy(), config.dataDir()),
        new WriterSettings.Batching(config.batch().maxRecords(), config.batch().linger()));
  }

  /**
   * What the writer seals, from {@code tollgate.ledger.privacy}.
   *
   * @throws IllegalStateException when sealing is on but there is nowhere durable to keep sealed
   *     parts, or a sealed part is misconfigured: the ledger does not start rather than record
   *     personal data it was told to seal, or seal what it cannot keep
   */
  static PayloadSealer sealer(LedgerConfig.Privacy privacy, Optional<Path> dataDir) {
    if (!privacy.enabled()) {
      return PayloadSealer.off();
    }
    Optional<Path> dir = privacy.sealedStore().or(() -> dataDir.map(d -> d.resolve("sealed")));
    if (dir.isEmpty()) {
      throw new IllegalStateException(
          "tollgate.ledger.privacy is on but there is no sealed store: set"
              + " tollgate.ledger.data-dir or tollgate.ledger.privacy.sealed-store, or"
              + " tollgate.ledger.privacy.enabled=false to record payloads whole");
    }
    try {
      return PayloadSealer.of(privacy.seal(), new SealedStore(dir.get()), new SecureRandom());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("tollgate.ledger.privacy.seal: " + e.getMessage(), e);
    }
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
