package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.LedgerConfig;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.witness.CheckpointWitness;
import dev.tollgate.ledger.witness.CosignatureStore;
import dev.tollgate.ledger.witness.WitnessClient;
import dev.tollgate.ledger.witness.WitnessException;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.ledger.witness.WitnessQuorum;
import dev.tollgate.ledger.witness.WitnessSubmitter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs the {@link WitnessSubmitter} beside the writer when witnesses are configured ({@code
 * tollgate.ledger.witness.urls} and {@code .keys}), publishes each witness's lag, and gives the
 * HTTP API the cosigned checkpoints. Without witnesses it does nothing and the quorum is none.
 */
@ApplicationScoped
public class WitnessService {

  /**
   * Prometheus {@code tollgate_ledger_witness_lag_seconds{witness}}: how long a checkpoint has
   * waited for that witness's cosignature (0 when it cosigned the latest).
   */
  public static final String LAG_SECONDS = "tollgate.ledger.witness.lag.seconds";

  /**
   * Prometheus {@code tollgate_ledger_witness_lag_records{witness}}: records the latest checkpoint
   * holds beyond the last one that witness cosigned.
   */
  public static final String LAG_RECORDS = "tollgate.ledger.witness.lag.records";

  /**
   * Prometheus {@code tollgate_ledger_witness_failures_total{witness,reason}}: failed submissions,
   * by reason; {@code reason="rollback"} means the witness saw a larger or another tree.
   */
  public static final String FAILURES = "tollgate.ledger.witness.failures";

  private static final Logger LOG = Logger.getLogger(WitnessService.class);

  private final Optional<WitnessSubmitter> submitter;
  private final WitnessQuorum quorum;
  private final CosignatureStore store;

  @Inject
  public WitnessService(LedgerConfig config, LedgerService ledger, MeterRegistry registry) {
    LedgerConfig.Witness witness = config.witness();
    List<WitnessKey> keys = keys(witness);
    List<URI> urls = witness.urls().orElse(List.of());
    if (urls.size() != keys.size()) {
      throw new IllegalStateException(
          "tollgate.ledger.witness.urls names "
              + urls.size()
              + " witnesses but tollgate.ledger.witness.keys "
              + keys.size()
              + "; give one key per URL, in the same order");
    }
    this.quorum = quorum(keys, witness.quorum().orElse(keys.size()));
    try {
      this.store =
          config.dataDir().isPresent()
              ? CosignatureStore.in(config.dataDir().get())
              : CosignatureStore.inMemory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the cosignature directory", e);
    }
    if (keys.isEmpty()) {
      this.submitter = Optional.empty();
      return;
    }
    List<CheckpointWitness> witnesses = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      witnesses.add(
          new CheckpointWitness(new WitnessClient(urls.get(i), keys.get(i), witness.timeout())));
    }
    LedgerWriter writer = ledger.writer();
    WitnessSubmitter running =
        new WitnessSubmitter(
            witnesses,
            () -> target(writer.committed()),
            store,
            new WitnessSubmitter.Timing(witness.poll(), witness.firstRetry(), witness.maxRetry()),
            Clock.systemUTC());
    registerMetrics(registry, running, keys);
    this.submitter = Optional.of(running);
    LOG.infof(
        "checkpoints are submitted to %d witness(es) %s; receipts need %d cosignature(s)",
        keys.size(), keys.stream().map(WitnessKey::name).toList(), quorum.required());
  }

  /** The latest committed checkpoint and proofs from the committed tree, if there is one. */
  static Optional<WitnessSubmitter.Target> target(Optional<CommittedLedger> committed) {
    return committed.flatMap(
        ledger -> {
          Optional<Checkpoint> checkpoint = ledger.checkpoint();
          return checkpoint.map(
              c -> new WitnessSubmitter.Target(c, ledger.tree()::consistencyProof));
        });
  }

  /** Publishes each witness's lag and failures, tagged with its name. */
  static void registerMetrics(
      MeterRegistry registry, WitnessSubmitter submitter, List<WitnessKey> keys) {
    for (int i = 0; i < keys.size(); i++) {
      int index = i;
      WitnessKey key = keys.get(i);
      Gauge.builder(LAG_SECONDS, submitter, s -> s.statuses().get(index).lagSeconds())
          .description("Seconds a checkpoint has waited for this witness's cosignature")
          .tag("witness", key.name())
          .register(registry);
      Gauge.builder(LAG_RECORDS, submitter, s -> s.statuses().get(index).lagRecords())
          .description("Records of the latest checkpoint beyond the last one this witness cosigned")
          .tag("witness", key.name())
          .register(registry);
      for (WitnessException.Reason reason : WitnessException.Reason.values()) {
        FunctionCounter.builder(FAILURES, submitter, s -> s.failures(key, reason))
            .description("Failed submissions of checkpoints to this witness, by reason")
            .tag("witness", key.name())
            .tag("reason", reasonTag(reason))
            .register(registry);
      }
    }
  }

  /** The {@code reason} label of a failure. */
  static String reasonTag(WitnessException.Reason reason) {
    return switch (reason) {
      case UNAVAILABLE -> "unavailable";
      case ROLLBACK -> "rollback";
      case REFUSED -> "refused";
      case BAD_COSIGNATURE -> "bad_cosignature";
      case MALFORMED_RESPONSE -> "malformed_response";
      case MALFORMED_KEY -> "malformed_key";
      case QUORUM_NOT_MET -> "quorum_not_met";
    };
  }

  static List<WitnessKey> keys(LedgerConfig.Witness witness) {
    List<WitnessKey> keys = new ArrayList<>();
    for (String vkey : witness.keys().orElse(List.of())) {
      try {
        keys.add(WitnessKey.parse(vkey));
      } catch (WitnessException e) {
        throw new IllegalStateException("tollgate.ledger.witness.keys: " + e.getMessage(), e);
      }
    }
    return keys;
  }

  static WitnessQuorum quorum(List<WitnessKey> keys, int required) {
    if (!keys.isEmpty() && required < 1) {
      throw new IllegalStateException("tollgate.ledger.witness.quorum is at least 1");
    }
    try {
      return new WitnessQuorum(keys, required);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("tollgate.ledger.witness: " + e.getMessage(), e);
    }
  }

  void onStart(@Observes StartupEvent event) {
    submitter.ifPresent(WitnessSubmitter::start);
  }

  void onStop(@Observes ShutdownEvent event) {
    submitter.ifPresent(WitnessSubmitter::close);
  }

  /** The cosignatures required before a receipt is served (none without witnesses). */
  public WitnessQuorum quorum() {
    return quorum;
  }

  /** The cosigned checkpoints. */
  public CosignatureStore store() {
    return store;
  }

  /** Whether checkpoints are submitted to witnesses. */
  public boolean enabled() {
    return submitter.isPresent();
  }
}
