package dev.tollgate.ledger.watch;

import dev.tollgate.ledger.EventSigningConfig;
import dev.tollgate.ledger.LedgerConfig;
import dev.tollgate.ledger.writer.CommittedLedger;
import dev.tollgate.ledger.writer.LedgerService;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventSigningKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Counter;
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
import org.jboss.logging.Logger;

/**
 * Runs the {@link RunWatcher} for the life of the application when {@code
 * tollgate.ledger.watch.enabled} is true and a cluster configuration exists, and counts unadmitted
 * runs in {@code tollgate_ledger_unadmitted_runs_total}. Without a cluster the ledger runs as
 * before: the watch never keeps it from starting.
 */
@ApplicationScoped
public class RunWatchService {

  /**
   * Micrometer name of the counter Prometheus shows as {@code
   * tollgate_ledger_unadmitted_runs_total}.
   */
  public static final String UNADMITTED_RUNS = "tollgate.ledger.unadmitted.runs";

  /**
   * Micrometer name of the counter Prometheus shows as {@code
   * tollgate_ledger_run_resolution_mismatches_total}: runs Tekton resolved from a digest their
   * decision did not pin (each also counted as unadmitted).
   */
  public static final String RESOLUTION_MISMATCHES = "tollgate.ledger.run.resolution.mismatches";

  /**
   * Micrometer name of the counter Prometheus shows as {@code
   * tollgate_ledger_run_resolution_unverified_total}: finished admitted runs whose status states no
   * sha256 {@code refSource}, so what ran could not be compared with what was pinned.
   */
  public static final String RESOLUTION_UNVERIFIED = "tollgate.ledger.run.resolution.unverified";

  /**
   * Micrometer name of the gauge Prometheus shows as {@code tollgate_ledger_run_watch_healthy}: 1
   * while the watch sees the cluster, 0 while it is blind. Registered only when the watch is on.
   */
  public static final String WATCH_HEALTHY = "tollgate.ledger.run.watch.healthy";

  private static final Logger LOG = Logger.getLogger(RunWatchService.class);

  private final LedgerConfig config;
  private final EventSigningConfig signing;
  private final LedgerService ledger;
  private final Map<String, Object> kafka;
  private final Counter unadmitted;
  private final Counter resolutionMismatches;
  private final Counter resolutionUnverified;
  private final MeterRegistry registry;
  private KubernetesClient client;
  private KafkaRunEventSink sink;
  private RunWatcher watcher;

  @Inject
  public RunWatchService(
      LedgerConfig config,
      EventSigningConfig signing,
      LedgerService ledger,
      MeterRegistry registry,
      @Identifier("default-kafka-broker") Map<String, Object> kafka) {
    this.config = config;
    this.signing = signing;
    this.ledger = ledger;
    this.kafka = KafkaClientSettings.connection(kafka);
    this.registry = registry;
    this.unadmitted =
        Counter.builder(UNADMITTED_RUNS)
            .description(
                "PipelineRuns and TaskRuns no admitting decision in the ledger accounts for")
            .register(registry);
    this.resolutionMismatches =
        Counter.builder(RESOLUTION_MISMATCHES)
            .description("Runs Tekton resolved from a digest their admitting decision did not pin")
            .register(registry);
    this.resolutionUnverified =
        Counter.builder(RESOLUTION_UNVERIFIED)
            .description("Finished admitted runs whose status states no sha256 refSource")
            .register(registry);
  }

  void onStart(@Observes StartupEvent event) {
    if (!config.watch().enabled()) {
      LOG.info("run watch off (tollgate.ledger.watch.enabled=false)");
      return;
    }
    Gauge.builder(WATCH_HEALTHY, () -> healthy() ? 1 : 0)
        .description("1 while the run watch lists and watches every run type, 0 while it is blind")
        .register(registry);
    boolean cluster = ClusterConfig.present();
    EventSigningKey eventKey = null;
    if (cluster || signing.keyFile().isPresent()) {
      // A configured key is always checked; a missing one stops the service only where the watch
      // would run and sign.
      try {
        eventKey = RunWatchKey.load(signing.keyFile(), ledger.signer().publicKey().keyId());
      } catch (EventKeyException e) {
        // Refuses to start: unsigned run events would be recorded as unauthenticated, and run
        // events signed with the ledger's key would blur the two trust domains.
        throw new IllegalStateException("run watch: " + e.getMessage(), e);
      }
      LOG.infof("run watch signs run events with key %s", eventKey.keyId());
    }
    if (!cluster) {
      LOG.warn(
          "run watch off: no Kubernetes configuration (no in-cluster service account, no"
              + " kubeconfig); set tollgate.ledger.watch.enabled=false to silence this");
      return;
    }
    client = new KubernetesClientBuilder().build();
    sink = new KafkaRunEventSink(kafka, config.topics().runs(), eventKey);
    watcher =
        new RunWatcher(
            client,
            () -> ledger.writer().committed().map(CommittedLedger::index),
            sink,
            Clock.systemUTC(),
            config.watch().decisionGrace(),
            config.watch().resync(),
            new RunWatchCounters(
                unadmitted::increment,
                resolutionMismatches::increment,
                resolutionUnverified::increment));
    watcher.start();
  }

  void onStop(@Observes ShutdownEvent event) {
    if (watcher != null) {
      watcher.close();
    }
    if (sink != null) {
      sink.close();
    }
    if (client != null) {
      client.close();
    }
  }

  /** Whether the watch runs. */
  public boolean running() {
    return watcher != null;
  }

  /** Whether the watch is off by configuration. */
  public boolean disabled() {
    return !config.watch().enabled();
  }

  /**
   * Whether the watch sees the cluster; false when it is on but blind (no cluster configuration, or
   * the API server unreachable or refusing the list), so runs may go unrecorded.
   */
  public boolean healthy() {
    RunWatcher current = watcher;
    return current != null && current.healthy();
  }
}
