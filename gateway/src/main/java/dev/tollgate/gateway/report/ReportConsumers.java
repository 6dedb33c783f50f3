package dev.tollgate.gateway.report;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.EventSigner;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventPublicKey;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The Kafka side of reporting, on when a GitHub App or token and the verifier's public key are
 * configured (or as {@code tollgate.gateway.checks.enabled} says). Two readers per replica:
 *
 * <ul>
 *   <li>the <b>reporting group</b> ({@code tollgate.gateway.checks.consumer-group}): triggers,
 *       decisions and run events, each handled by exactly one replica of the group, which reports
 *       it (a new group starts at the topics' ends: history is not reported again);
 *   <li>the <b>target reader</b>, no group: every trigger of the last {@code
 *       tollgate.gateway.checks.remember}, so that whichever replica handles a decision or run
 *       knows its commit;
 *   <li>the <b>ledger reader</b>, no group, when {@value #LEDGER_KEYS} names keys: the ledger
 *       topic's records of the last {@code remember} (at most {@code remembered} back), so that
 *       each decision's check shows the seq the ledger recorded it at ({@link LedgerRecords}).
 * </ul>
 *
 * The reporting group commits an event's offset only once its report ended ({@link
 * PendingOffsets}): a report still retrying when the replica stops is made by whichever replica
 * reads the event next.
 *
 * <p>Every event is authenticated before anything is done with it ({@link AuthenticatedEvents}):
 * triggers under the gateway's own key and {@value #GATEWAY_KEYS}, decisions under {@value
 * #VERIFIER_KEYS} (required when reporting is on), run events under {@value #RUN_WATCH_KEYS}
 * (without it, runs' ends are not reported).
 */
@Singleton
public class ReportConsumers {

  private static final Logger LOG = Logger.getLogger(ReportConsumers.class);

  static final String GATEWAY_KEYS = "tollgate.trust.gateway-keys";
  static final String VERIFIER_KEYS = "tollgate.trust.verifier-keys";
  static final String RUN_WATCH_KEYS = "tollgate.trust.run-watch-keys";
  static final String LEDGER_KEYS = "tollgate.trust.ledger-keys";

  private final boolean enabled;
  private final GatewayConfig.Checks config;
  private final Map<String, Object> connection;
  private final String triggersTopic;
  private final MeterRegistry meters;
  private final GitHubCredentials credentials;
  private final EventSigner signer;
  private final Optional<List<Path>> gatewayKeys;
  private final Optional<List<Path>> verifierKeys;
  private final Optional<List<Path>> runWatchKeys;
  private final Optional<List<Path>> ledgerKeys;

  private AuthenticatedEvents authenticity;
  private LedgerRecords ledgerRecords;
  private KafkaConsumer<byte[], byte[]> ledger;
  private Thread ledgerThread;
  private final PendingOffsets offsets = new PendingOffsets();
  private CheckReporter reporter;
  private KafkaConsumer<byte[], byte[]> group;
  private KafkaConsumer<byte[], byte[]> targets;
  private Thread groupThread;
  private Thread targetThread;
  private volatile boolean stopping;
  private volatile boolean assigned;

  @Inject
  public ReportConsumers(
      GatewayConfig config,
      GitHubCredentials credentials,
      EventSigner signer,
      @Identifier("default-kafka-broker") Map<String, Object> kafka,
      @ConfigProperty(
              name = TriggerEmitter.CONFIG_PREFIX + "topic",
              defaultValue = "tollgate.triggers.v1")
          String triggersTopic,
      @ConfigProperty(name = GATEWAY_KEYS) Optional<List<Path>> gatewayKeys,
      @ConfigProperty(name = VERIFIER_KEYS) Optional<List<Path>> verifierKeys,
      @ConfigProperty(name = RUN_WATCH_KEYS) Optional<List<Path>> runWatchKeys,
      @ConfigProperty(name = LEDGER_KEYS) Optional<List<Path>> ledgerKeys,
      MeterRegistry meters) {
    this.config = config.checks();
    // On by default where it can work: GitHub credentials to write with, and the verifier's key
    // to authenticate decisions by. Asked for explicitly, it refuses to start without either.
    this.enabled =
        enabled(
            this.config.enabled(),
            credentials.configured(),
            !verifierKeys.orElse(List.of()).isEmpty());
    this.credentials = credentials;
    this.signer = signer;
    this.connection = KafkaClientSettings.connection(kafka);
    this.triggersTopic = triggersTopic;
    this.gatewayKeys = gatewayKeys;
    this.verifierKeys = verifierKeys;
    this.runWatchKeys = runWatchKeys;
    this.ledgerKeys = ledgerKeys;
    this.meters = meters;
  }

  /** Whether reporting is on: as configured, else where it has credentials and a key. */
  static boolean enabled(Optional<Boolean> configured, boolean credentials, boolean verifierKey) {
    return configured.orElse(credentials && verifierKey);
  }

  /** Whether reporting is on. */
  public boolean enabled() {
    return enabled;
  }

  /** Whether this replica's reporting consumer has joined its group and holds partitions. */
  public boolean assigned() {
    return assigned;
  }

  void onStart(@Observes StartupEvent started) {
    if (!enabled) {
      if (config.enabled().isPresent()) {
        LOG.info("decisions are not reported on commits: tollgate.gateway.checks.enabled=false");
      } else if (!credentials.configured()) {
        LOG.info("decisions are not reported on commits: no GitHub App or token is configured");
      } else {
        LOG.warnf(
            "decisions are not reported on commits: %s (TOLLGATE_TRUST_VERIFIER_KEYS) names no"
                + " key to authenticate them by",
            VERIFIER_KEYS);
      }
      return;
    }
    if (!credentials.configured()) {
      throw new ConfigurationException(
          "tollgate.gateway.checks.enabled=true needs a GitHub App ("
              + GitHubCredentials.APP_ID_PROPERTY
              + ") or token ("
              + GitHubCredentials.TOKEN_PROPERTY
              + ")",
          Set.of("tollgate.gateway.checks.enabled"));
    }
    authenticity =
        new AuthenticatedEvents(
            gateways(),
            ring("verifier", VERIFIER_KEYS, verifierKeys, true),
            ring("run watch", RUN_WATCH_KEYS, runWatchKeys, false));
    EventKeyRing ledgerRing = ring("ledger", LEDGER_KEYS, ledgerKeys, false);
    ledgerRecords = ledgerRing.isEmpty() ? null : new LedgerRecords(ledgerRing);
    for (String reason :
        List.of(
            LedgerRecords.MALFORMED,
            LedgerRecords.UNSIGNED,
            LedgerRecords.UNKNOWN_KEY,
            LedgerRecords.INVALID)) {
      meters.counter(LEDGER_REFUSED_METRIC, "reason", reason);
    }
    GitHubChecks github =
        GitHubChecks.of(credentials, config.name(), config.apiTimeout(), Clock.systemUTC());
    reporter =
        new CheckReporter(
            github,
            new CheckReporter.Settings(
                config.maxAttempts(),
                config.backoff(),
                config.maxBackoff(),
                config.maxPending(),
                config.remembered(),
                config.remember(),
                config.threads()),
            meters);
    start();
    LOG.infof(
        "decisions are reported on commits as %s \"%s\"%s%s",
        github.checkRuns() ? "check runs" : "commit statuses",
        config.name(),
        authenticity.trusts(EventType.RUN)
            ? ""
            : "; runs' ends are not (" + RUN_WATCH_KEYS + " names no key)",
        ledgerRecords == null
            ? "; without the ledger's seq (" + LEDGER_KEYS + " names no key)"
            : "; with the ledger's seq of each decision");
  }

  /** The metric counting ledger records not trusted, by reason. */
  static final String LEDGER_REFUSED_METRIC = "tollgate.gateway.checks.ledger_records_refused";

  private EventKeyRing gateways() {
    List<EventPublicKey> keys = new ArrayList<>();
    keys.add(signer.publicKey());
    keys.addAll(ring("gateway", GATEWAY_KEYS, gatewayKeys, false).keys().values());
    return EventKeyRing.of("gateway", keys);
  }

  static EventKeyRing ring(
      String signer, String property, Optional<List<Path>> files, boolean required) {
    List<Path> paths = files.orElse(List.of());
    if (paths.isEmpty() && required) {
      throw new ConfigurationException(
          property
              + " names no key: decisions are reported on commits only when their signature"
              + " verifies under the "
              + signer
              + "'s public key. List its PEM file(s), or set"
              + " tollgate.gateway.checks.enabled=false",
          Set.of(property));
    }
    try {
      return EventKeyRing.read(signer, paths);
    } catch (EventKeyException e) {
      throw new ConfigurationException(property + ": " + e.getMessage(), Set.of(property));
    }
  }

  private void start() {
    Map<String, Object> groupSettings = new HashMap<>(connection);
    groupSettings.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
    groupSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Committed by hand, only up to the oldest event whose report has not ended.
    groupSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    groupSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-checks");
    group =
        new KafkaConsumer<>(
            groupSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<String> topics = new ArrayList<>(List.of(triggersTopic, config.decisionsTopic()));
    if (authenticity.trusts(EventType.RUN)) {
      topics.add(config.runsTopic());
    }
    group.subscribe(
        topics,
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            assigned = false;
            Map<TopicPartition, OffsetAndMetadata> last = new HashMap<>();
            for (TopicPartition p : partitions) {
              long offset = offsets.revoke(p);
              if (offset >= 0) {
                last.put(p, new OffsetAndMetadata(offset));
              }
            }
            commit(last);
          }

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            assigned = false;
            // Another member holds them already: nothing of ours may be committed for them.
            partitions.forEach(offsets::revoke);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
          }
        });
    Map<String, Object> readerSettings = new HashMap<>(connection);
    // No group: every replica reads every partition, and nothing is committed.
    readerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    readerSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    readerSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-check-targets");
    targets =
        new KafkaConsumer<>(
            readerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    groupThread = new Thread(this::readGroup, "tollgate-checks-group");
    groupThread.setDaemon(true);
    groupThread.start();
    targetThread = new Thread(this::readTargets, "tollgate-checks-targets");
    targetThread.setDaemon(true);
    targetThread.start();
    if (ledgerRecords != null) {
      Map<String, Object> ledgerSettings = new HashMap<>(readerSettings);
      ledgerSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-check-ledger");
      ledger =
          new KafkaConsumer<>(
              ledgerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      ledgerThread = new Thread(this::readLedger, "tollgate-checks-ledger");
      ledgerThread.setDaemon(true);
      ledgerThread.start();
    }
  }

  private void readGroup() {
    try {
      while (!stopping) {
        for (ConsumerRecord<byte[], byte[]> r : group.poll(Duration.ofMillis(500))) {
          TopicPartition partition = new TopicPartition(r.topic(), r.partition());
          offsets.started(partition, r.offset());
          handle(r, () -> offsets.ended(partition, r.offset()));
        }
        Map<TopicPartition, OffsetAndMetadata> ready = new HashMap<>();
        offsets.toCommit().forEach((p, o) -> ready.put(p, new OffsetAndMetadata(o)));
        commit(ready);
      }
    } catch (WakeupException e) {
      // stopping
    } catch (KafkaException e) {
      LOG.errorf("the reporting consumer stopped: %s", e.getMessage());
      meters.counter("tollgate.gateway.checks.consumer_stopped").increment();
    } finally {
      group.close();
    }
  }

  private void readTargets() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : targets.partitionsFor(triggersTopic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(p.topic(), p.partition()));
      }
      targets.assign(partitions);
      long since = System.currentTimeMillis() - config.remember().toMillis();
      Map<TopicPartition, Long> times = new HashMap<>();
      partitions.forEach(p -> times.put(p, since));
      Map<TopicPartition, OffsetAndTimestamp> offsets =
          targets.offsetsForTimes(times, Duration.ofSeconds(30));
      for (TopicPartition p : partitions) {
        OffsetAndTimestamp at = offsets.get(p);
        if (at == null) {
          targets.seekToEnd(List.of(p));
        } else {
          targets.seek(p, at.offset());
        }
      }
      while (!stopping) {
        for (ConsumerRecord<byte[], byte[]> r : targets.poll(Duration.ofMillis(500))) {
          read(r, EventType.TRIGGER, TriggerEvent.class).ifPresent(reporter::remember);
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (KafkaException e) {
      LOG.errorf("the trigger target reader stopped: %s", e.getMessage());
      meters.counter("tollgate.gateway.checks.consumer_stopped").increment();
    } finally {
      targets.close();
    }
  }

  /** Commits on the group consumer's thread; a failed commit is retried by the next one. */
  private void commit(Map<TopicPartition, OffsetAndMetadata> ready) {
    if (ready.isEmpty()) {
      return;
    }
    try {
      group.commitSync(ready, Duration.ofSeconds(10));
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved: their new holder reads from the last commit, reports again
      // (idempotently) what ended here since.
      LOG.debugf("offsets not committed (%s)", e.getClass().getSimpleName());
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      offsets.uncommitted(ready.keySet());
      LOG.warnf("offsets not committed in time; retried: %s", e.getMessage());
    }
  }

  private void readLedger() {
    try {
      TopicPartition partition = new TopicPartition(config.ledgerTopic(), 0);
      ledger.assign(List.of(partition));
      long end = ledger.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
      long since = System.currentTimeMillis() - config.remember().toMillis();
      OffsetAndTimestamp at =
          ledger.offsetsForTimes(Map.of(partition, since), Duration.ofSeconds(30)).get(partition);
      // The most recent stretch only: never the whole history of a long ledger.
      long from = Math.max(at == null ? end : at.offset(), end - config.remembered());
      ledger.seek(partition, Math.max(0, from));
      while (!stopping) {
        for (ConsumerRecord<byte[], byte[]> r : ledger.poll(Duration.ofMillis(500))) {
          recorded(r);
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (KafkaException e) {
      LOG.errorf("the ledger reader stopped: %s", e.getMessage());
      meters.counter("tollgate.gateway.checks.consumer_stopped").increment();
    } finally {
      ledger.close();
    }
  }

  private void recorded(ConsumerRecord<byte[], byte[]> r) {
    try {
      ledgerRecords.decision(r.value()).ifPresent(d -> reporter.recorded(d.triggerId(), d.entry()));
    } catch (RefusedException e) {
      meters.counter(LEDGER_REFUSED_METRIC, "reason", e.reason()).increment();
      LOG.warnf(
          "ledger record not trusted: %s-%d@%d (%s): %s",
          r.topic(), r.partition(), r.offset(), e.reason(), e.getMessage());
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r, Runnable done) {
    if (r.topic().equals(triggersTopic)) {
      read(r, EventType.TRIGGER, TriggerEvent.class)
          .ifPresentOrElse(t -> reporter.accepted(t, done), done);
    } else if (r.topic().equals(config.decisionsTopic())) {
      read(r, EventType.DECISION, DecisionEvent.class)
          .ifPresentOrElse(d -> reporter.decided(d, done), done);
    } else if (r.topic().equals(config.runsTopic())) {
      read(r, EventType.RUN, RunEvent.class)
          .ifPresentOrElse(e -> reporter.runChanged(e, done), done);
    } else {
      done.run();
    }
  }

  /**
   * Stops reading and reporting as a crash would, without committing what has not been reported,
   * then starts again: the events whose reports were cut short are read and reported again.
   */
  void restart() throws InterruptedException {
    stop();
    groupThread.join(30_000);
    targetThread.join(30_000);
    if (ledgerThread != null) {
      ledgerThread.join(30_000);
    }
    stopping = false;
    offsets.clear();
    reporter = new CheckReporter(reporter.github(), reporter.settings(), meters);
    start();
  }

  private <T> Optional<T> read(ConsumerRecord<byte[], byte[]> r, EventType type, Class<T> record) {
    try {
      return Optional.of(authenticity.read(type, record, r.headers(), r.value()));
    } catch (RefusedException e) {
      meters
          .counter(
              "tollgate.gateway.checks.events_refused",
              "type",
              type.name().toLowerCase(java.util.Locale.ROOT),
              "reason",
              e.reason())
          .increment();
      LOG.warnf(
          "not reported: %s-%d@%d (%s): %s",
          r.topic(), r.partition(), r.offset(), e.reason(), e.getMessage());
      return Optional.empty();
    }
  }

  void onStop(@Observes ShutdownEvent stop) {
    stop();
  }

  private void stop() {
    stopping = true;
    if (ledger != null) {
      ledger.wakeup();
    }
    if (group != null) {
      group.wakeup();
    }
    if (targets != null) {
      targets.wakeup();
    }
    if (reporter != null) {
      reporter.close();
    }
  }
}
