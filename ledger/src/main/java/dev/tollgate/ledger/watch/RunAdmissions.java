package dev.tollgate.ledger.watch;

import dev.tollgate.ledger.index.DecisionRecord;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.schemas.event.RunEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Decides whether a run is admitted, for the {@link RunWatcher} (on its one thread; not
 * thread-safe). A PipelineRun is admitted only when its {@code tollgate.dev/decision-id} and {@code
 * tollgate.dev/trigger-id} labels name a decision the ledger recorded as admitting exactly this
 * PipelineRun for exactly that trigger; a TaskRun only when the PipelineRun that owns it is. A
 * labelled run whose decision the ledger has not recorded yet waits up to the decision grace and
 * then counts as unadmitted. Once decided, a run's admission never changes: it is kept until the
 * run is {@link #forget forgotten}.
 */
final class RunAdmissions {

  // The watcher's category: these lines are part of the run watch's log.
  private static final Logger LOG = Logger.getLogger(RunWatcher.class);

  private final KubernetesClient client;
  private final Supplier<Optional<LedgerIndex>> ledger;
  private final Clock clock;
  private final Duration decisionGrace;
  private final RunWatchCounters counters;
  private final Consumer<RunState> parentSeen;
  private final Map<String, Admission> admissions = new HashMap<>();
  private final Map<String, Instant> waitingSince = new HashMap<>();

  /**
   * @param client a client with get rights on Tekton PipelineRuns, to read a TaskRun's owner
   * @param ledger the committed ledger's index, empty while the writer recovers
   * @param clock the time the decision grace is measured with
   * @param decisionGrace how long a labelled run waits for its decision to reach the ledger
   * @param counters told once per run found unadmitted
   * @param parentSeen told of each PipelineRun read to decide one of its TaskRuns
   */
  RunAdmissions(
      KubernetesClient client,
      Supplier<Optional<LedgerIndex>> ledger,
      Clock clock,
      Duration decisionGrace,
      RunWatchCounters counters,
      Consumer<RunState> parentSeen) {
    this.client = client;
    this.ledger = ledger;
    this.clock = clock;
    this.decisionGrace = decisionGrace;
    this.counters = counters;
    this.parentSeen = parentSeen;
  }

  /** Drops what is kept about the run. */
  void forget(String uid) {
    admissions.remove(uid);
    waitingSince.remove(uid);
  }

  /** The run's admission, or empty while it waits for its decision to reach the ledger. */
  Optional<Admission> of(RunState run) {
    Admission known = admissions.get(run.uid());
    if (known != null) {
      return Optional.of(known);
    }
    Optional<Admission> decided =
        run.type() == TektonRun.PIPELINE_RUN ? pipelineRunAdmission(run) : taskRunAdmission(run);
    decided.ifPresent(
        a -> {
          admissions.put(run.uid(), a);
          waitingSince.remove(run.uid());
          if (!a.admitted()) {
            counters.unadmitted().run();
            LOG.warnf(
                "UNADMITTED %s %s/%s (uid %s): %s",
                run.type().kind(), run.namespace(), run.name(), run.uid(), a.reason());
          }
        });
    return decided;
  }

  private Optional<Admission> pipelineRunAdmission(RunState run) {
    String decisionId = run.claimedDecisionId();
    String triggerId = run.claimedTriggerId();
    if (decisionId == null || triggerId == null) {
      return Optional.of(
          Admission.unadmitted(
              "it carries no "
                  + RunState.DECISION_ID_LABEL
                  + " label and "
                  + RunState.TRIGGER_ID_LABEL
                  + " annotation: it was created around Tollgate"));
    }
    Optional<LedgerIndex> index = ledger.get();
    if (index.isEmpty()) {
      // The writer is still reading the ledger back; the grace starts once it can answer.
      return Optional.empty();
    }
    Optional<DecisionRecord> admitting =
        index.get().admitting(decisionId, triggerId, run.namespace(), run.name());
    if (admitting.isPresent()) {
      return Optional.of(
          Admission.admitted(triggerId, decisionId, admitting.get().pinnedDigests()));
    }
    Optional<DecisionRecord> admittedOther =
        index.get().decisions(decisionId).stream().filter(DecisionRecord::admitted).findFirst();
    if (admittedOther.isPresent()) {
      // The PipelineRun name derives from the trigger: a decision id admits one run only.
      return Optional.of(
          Admission.unadmitted(
              "decision "
                  + decisionId
                  + " (seq "
                  + admittedOther.get().seq()
                  + ") does not admit this PipelineRun for trigger "
                  + triggerId));
    }
    // A trigger may be decided more than once (`error`, then `admitted` after a crash or on another
    // replica): a record that did not admit is not the last word until the grace ends.
    Instant since = waitingSince.computeIfAbsent(run.uid(), k -> clock.instant());
    if (clock.instant().isBefore(since.plus(decisionGrace))) {
      return Optional.empty();
    }
    Optional<DecisionRecord> decision = index.get().decision(decisionId);
    if (decision.isPresent()) {
      return Optional.of(
          Admission.unadmitted(
              "no record of decision "
                  + decisionId
                  + " (latest seq "
                  + decision.get().seq()
                  + ") admits this PipelineRun for trigger "
                  + triggerId
                  + " after waiting "
                  + decisionGrace));
    }
    return Optional.of(
        Admission.unadmitted(
            "the ledger records no decision " + decisionId + " after waiting " + decisionGrace));
  }

  private Optional<Admission> taskRunAdmission(RunState run) {
    if (run.owner().isEmpty()) {
      return Optional.of(
          Admission.unadmitted("it belongs to no PipelineRun: it was created around Tollgate"));
    }
    RunState.Owner owner = run.owner().get();
    GenericKubernetesResource parent;
    try {
      parent =
          client
              .genericKubernetesResources(TektonRun.PIPELINE_RUN.context())
              .inNamespace(run.namespace())
              .withName(owner.name())
              .get();
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot read PipelineRun %s/%s yet: %s", run.namespace(), owner.name(), e);
      return Optional.empty();
    }
    if (parent == null
        || (owner.uid() != null && !owner.uid().equals(parent.getMetadata().getUid()))) {
      return Optional.of(
          Admission.unadmitted(
              "its PipelineRun " + run.namespace() + "/" + owner.name() + " does not exist"));
    }
    RunState parentState = RunState.of(TektonRun.PIPELINE_RUN, parent);
    parentSeen.accept(parentState);
    return of(parentState)
        .map(
            a -> {
              if (!a.admitted()) {
                return Admission.unadmitted(
                    "its PipelineRun " + owner.name() + " is unadmitted: " + a.reason());
              }
              Optional<RunEvent.Resolution> parentResolution =
                  ResolutionCheck.check(parentState, a);
              if (parentResolution.isPresent()
                  && parentResolution.get().result() == RunEvent.Resolution.Result.MISMATCH) {
                return Admission.unadmitted(
                    "its PipelineRun "
                        + owner.name()
                        + " is unadmitted: "
                        + parentResolution.get().why());
              }
              return a;
            });
  }
}
