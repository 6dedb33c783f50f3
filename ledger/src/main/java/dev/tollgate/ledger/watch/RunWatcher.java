package dev.tollgate.ledger.watch;

import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.schemas.event.RunEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Watches Tekton PipelineRuns and TaskRuns in every namespace, read-only (list, watch and get; the
 * build checks it never writes), and publishes a {@link RunEvent} for each run's start and outcome.
 *
 * <p>A PipelineRun is admitted only when its {@code tollgate.dev/decision-id} and {@code
 * tollgate.dev/trigger-id} labels name a decision the ledger recorded as admitting exactly this
 * PipelineRun for exactly that trigger; a TaskRun only when the PipelineRun that owns it is. A
 * labelled run whose decision the ledger has not recorded yet waits up to the decision grace (the
 * decision may still be on its way through Kafka) and then counts as unadmitted: labels alone never
 * admit. Once decided, a run's admission never changes ({@link RunAdmissions}).
 *
 * <p>A deletion never erases an unrecorded run: a run deleted before its events were published
 * (while it waited for its decision, or after a failed publish) is kept until they are.
 *
 * <p>What Tekton says it resolved an admitted run from ({@code status.provenance.refSource}) is
 * compared with the digests its decision pinned ({@link ResolutionCheck}); every event of the run
 * states the result. A run resolved from a digest the decision did not pin is unadmitted from then
 * on, recorded at once under its own event id ({@link RunState#resolutionMismatch}) and counted.
 *
 * <p>Event ids are derived from the run's uid and phase ({@link RunState#eventId}), so after a
 * restart the re-list yields the same ids and the ledger records each event once. Everything runs
 * on one thread; a failed publish is retried at the next observation (the informers resync
 * periodically).
 */
public final class RunWatcher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RunWatcher.class);
  private static final Duration RECHECK = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final RunEventSink sink;
  private final Clock clock;
  private final Duration resync;
  private final RunWatchCounters counters;
  private final ScheduledExecutorService worker;
  private final RunAdmissions admissions;
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
  private final Map<String, Set<String>> published = new HashMap<>();
  private final Map<String, RunState> latest = new HashMap<>();
  private final Set<String> recheckScheduled = new HashSet<>();

  /** Runs whose resolution was counted (mismatch or unverified): each is counted once. */
  private final Set<String> resolutionCounted = new HashSet<>();

  /** Runs deleted before all their events were published: kept until they are. */
  private final Set<String> deletedUnrecorded = new HashSet<>();

  /**
   * @param client a client with list/watch/get rights on Tekton runs cluster-wide
   * @param ledger the committed ledger's index, empty while the writer recovers
   * @param sink where events go
   * @param clock the time runs are observed at
   * @param decisionGrace how long a labelled run waits for its decision to reach the ledger
   * @param resync how often the informers re-deliver every run
   * @param counters told once per run found unadmitted, and once per run whose resolution is a
   *     mismatch or unverified
   */
  public RunWatcher(
      KubernetesClient client,
      Supplier<Optional<LedgerIndex>> ledger,
      RunEventSink sink,
      Clock clock,
      Duration decisionGrace,
      Duration resync,
      RunWatchCounters counters) {
    this.client = client;
    this.sink = sink;
    this.clock = clock;
    this.resync = resync;
    this.counters = counters;
    this.admissions =
        new RunAdmissions(
            client,
            ledger,
            clock,
            decisionGrace,
            counters,
            parent -> latest.putIfAbsent(parent.uid(), parent));
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "ledger-run-watch");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts one informer per run type. Returns at once: an unreachable API server is logged and
   * retried by the informers, it never stops the ledger.
   */
  public void start() {
    for (TektonRun type : TektonRun.values()) {
      SharedIndexInformer<GenericKubernetesResource> informer =
          client
              .genericKubernetesResources(type.context())
              .inAnyNamespace()
              .runnableInformer(resync.toMillis());
      informer.addEventHandler(handler(type));
      informers.add(informer);
      informer
          .start()
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  LOG.warnf(
                      "cannot list %s.%s yet (%s); the informer keeps retrying",
                      type.context().getPlural(), TektonRun.GROUP, error.getMessage());
                } else {
                  LOG.infof("watching %s.%s in all namespaces", type.kind(), TektonRun.GROUP);
                }
              });
    }
  }

  /**
   * Whether the watch sees the cluster: every informer runs, has listed its runs once and is
   * watching. False while the API server is unreachable or refuses the list: runs created then go
   * unseen until it recovers, and the re-list records only those that still exist.
   */
  public boolean healthy() {
    return !informers.isEmpty()
        && informers.stream().allMatch(i -> i.isRunning() && i.hasSynced() && i.isWatching());
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::stop);
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private ResourceEventHandler<GenericKubernetesResource> handler(TektonRun type) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource run) {
        submit(type, run, false);
      }

      @Override
      public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource run) {
        submit(type, run, false);
      }

      @Override
      public void onDelete(GenericKubernetesResource run, boolean finalStateUnknown) {
        submit(type, run, true);
      }
    };
  }

  private void submit(TektonRun type, GenericKubernetesResource run, boolean deleted) {
    RunState state;
    try {
      state = RunState.of(type, run);
    } catch (IllegalArgumentException e) {
      LOG.warnf("ignoring a %s without uid or namespace", type.kind());
      return;
    }
    worker.execute(() -> observe(state, deleted));
  }

  // Per-event guard: one run that cannot be observed (a bug on an odd object) must not end the
  // watch for every other run; it is logged with the run's name and seen again at the next event.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private void observe(RunState observed, boolean deleted) {
    String uid = observed.uid();
    latest.put(uid, observed);
    try {
      List<RunState.Due> due = new ArrayList<>();
      Set<String> done = published.getOrDefault(uid, Set.of());
      for (RunState.Due d : observed.due()) {
        if (!done.contains(d.eventId())) {
          due.add(d);
        }
      }
      RunState.Due mismatchDue = observed.resolutionMismatch();
      boolean resolvedUnchecked =
          observed.resolved().isPresent() && !done.contains(mismatchDue.eventId());
      if (due.isEmpty() && !resolvedUnchecked) {
        return;
      }
      Optional<Admission> admission = admissions.of(observed);
      if (admission.isEmpty()) {
        recheck(uid);
        return;
      }
      Optional<RunEvent.Resolution> resolution = ResolutionCheck.check(observed, admission.get());
      Admission effective = admission.get();
      if (resolution.isPresent()
          && resolution.get().result() == RunEvent.Resolution.Result.MISMATCH) {
        effective = Admission.unadmitted(resolution.get().why());
        if (!done.contains(mismatchDue.eventId())) {
          due.add(mismatchDue);
        }
      }
      resolution.ifPresent(r -> countResolution(observed, r));
      for (RunState.Due d : due) {
        RunEvent event = observed.event(d, effective, resolution.orElse(null), clock.instant());
        try {
          sink.publish(d.eventId(), event);
        } catch (RunPublishException e) {
          LOG.warnf("%s; it is published again shortly", e.getMessage());
          // A deleted run is never observed again: only the recheck brings it back.
          recheck(uid);
          return;
        }
        published.computeIfAbsent(uid, k -> new HashSet<>()).add(d.eventId());
      }
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "observing %s %s/%s failed",
          observed.type().kind(),
          observed.namespace(),
          observed.name());
    } finally {
      if (deleted) {
        forgetOnceRecorded(observed);
      }
    }
  }

  /** Counts a mismatching or unverified resolution once per run, and logs a mismatch. */
  private void countResolution(RunState run, RunEvent.Resolution resolution) {
    switch (resolution.result()) {
      case MATCHES -> {
        return;
      }
      case MISMATCH -> {
        if (resolutionCounted.add(run.uid())) {
          counters.unadmitted().run();
          counters.resolutionMismatch().run();
          LOG.warnf(
              "UNADMITTED %s %s/%s (uid %s): %s",
              run.type().kind(), run.namespace(), run.name(), run.uid(), resolution.why());
        }
      }
      case UNVERIFIED -> {
        if (resolutionCounted.add(run.uid())) {
          counters.resolutionUnverified().run();
          LOG.infof(
              "%s %s/%s (uid %s): resolution unverified: %s",
              run.type().kind(), run.namespace(), run.name(), run.uid(), resolution.why());
        }
      }
    }
  }

  /**
   * A deletion never erases an unrecorded run: a run deleted while it waits for its decision (or
   * whose publish failed) is kept, and rechecked as deleted, until every event it calls for is
   * published; then it is forgotten.
   */
  private void forgetOnceRecorded(RunState observed) {
    String uid = observed.uid();
    Set<String> done = published.getOrDefault(uid, Set.of());
    if (observed.due().stream().allMatch(d -> done.contains(d.eventId()))) {
      deletedUnrecorded.remove(uid);
      forget(uid);
    } else {
      deletedUnrecorded.add(uid);
      recheck(uid);
    }
  }

  private void forget(String uid) {
    latest.remove(uid);
    published.remove(uid);
    admissions.forget(uid);
    resolutionCounted.remove(uid);
  }

  private void recheck(String uid) {
    if (!recheckScheduled.add(uid)) {
      return;
    }
    worker.schedule(
        () -> {
          recheckScheduled.remove(uid);
          RunState state = latest.get(uid);
          if (state != null) {
            observe(state, deletedUnrecorded.contains(uid));
          }
        },
        RECHECK.toMillis(),
        TimeUnit.MILLISECONDS);
  }
}
