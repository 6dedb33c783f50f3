package dev.tollgate.ledger.watch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one observation of a PipelineRun or TaskRun says: who it is, whether it finished and how,
 * its results, whether Tekton Chains signed it, and which PipelineRun owns it. Read from the
 * resource as the API server serves it, never from our own model of Tekton.
 *
 * @param type PipelineRun or TaskRun
 * @param uid {@code metadata.uid}
 * @param namespace its namespace
 * @param name its name
 * @param labels its labels
 * @param annotations its annotations
 * @param outcome how it finished, or empty while it runs
 * @param chainsSigned {@code true} when Chains signed it, {@code false} when signing failed, else
 *     null
 * @param results its string results by name
 * @param owner the PipelineRun that owns it (TaskRuns), or empty
 * @param resolved what Tekton says it resolved the run from ({@code status.provenance.refSource}),
 *     or empty while it says nothing
 */
public record RunState(
    TektonRun type,
    String uid,
    String namespace,
    String name,
    Map<String, String> labels,
    Map<String, String> annotations,
    Optional<RunEvent.Phase> outcome,
    Boolean chainsSigned,
    Map<String, String> results,
    Optional<Owner> owner,
    Optional<ResolvedSource> resolved) {

  /**
   * The annotation (or label) the verifier puts on an admitted PipelineRun: the trigger it runs
   * for. Trigger ids hold ':' and may exceed 63 characters, which label values cannot, so the
   * annotation is read first.
   */
  public static final String TRIGGER_ID_LABEL = "tollgate.dev/trigger-id";

  /** The label the verifier puts on an admitted PipelineRun: the decision that admitted it. */
  public static final String DECISION_ID_LABEL = "tollgate.dev/decision-id";

  /** Tekton's label on a TaskRun naming the PipelineRun it belongs to. */
  public static final String PIPELINE_RUN_LABEL = "tekton.dev/pipelineRun";

  /** Tekton Chains' annotation: {@code "true"} once signed, {@code "failed"} when it gave up. */
  public static final String CHAINS_SIGNED_ANNOTATION = "chains.tekton.dev/signed";

  /**
   * Reasons of a {@code Succeeded=False} condition that mean the run was cancelled or stopped
   * rather than failed (Tekton v1 PipelineRun and TaskRun reasons).
   */
  private static final Set<String> CANCELLED_REASONS =
      Set.of(
          "Cancelled",
          "PipelineRunCancelled",
          "TaskRunCancelled",
          "CancelledRunFinally",
          "StoppedRunFinally",
          "PipelineRunStopped");

  /** The PipelineRun a TaskRun names as its owner: by uid when an owner reference says so. */
  public record Owner(String name, String uid) {}

  /** One event this state calls for, under its deterministic id. */
  public record Due(String eventId, RunEvent.Phase phase, Boolean chainsSigned) {}

  public RunState {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    results = Map.copyOf(results);
  }

  /**
   * Reads the resource; fails on one without uid, namespace or name, which a server never serves.
   */
  public static RunState of(TektonRun type, GenericKubernetesResource run) {
    ObjectMeta meta = run.getMetadata();
    if (meta == null || meta.getUid() == null || meta.getNamespace() == null) {
      throw new IllegalArgumentException("a served run has a uid, a namespace and a name");
    }
    JsonNode status = Json.mapper().valueToTree(run.getAdditionalProperties().get("status"));
    Map<String, String> annotations =
        meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    String signed = annotations.get(CHAINS_SIGNED_ANNOTATION);
    return new RunState(
        type,
        meta.getUid(),
        meta.getNamespace(),
        meta.getName(),
        meta.getLabels() == null ? Map.of() : meta.getLabels(),
        annotations,
        outcome(status),
        "true".equals(signed) ? Boolean.TRUE : "failed".equals(signed) ? Boolean.FALSE : null,
        results(status),
        type == TektonRun.TASK_RUN ? owner(meta) : Optional.empty(),
        ResolvedSource.of(status));
  }

  /** The decision id its label claims, or null. */
  public String claimedDecisionId() {
    return labels.get(DECISION_ID_LABEL);
  }

  /** The trigger id its annotation (or else its label) claims, or null. */
  public String claimedTriggerId() {
    String annotated = annotations.get(TRIGGER_ID_LABEL);
    return annotated != null ? annotated : labels.get(TRIGGER_ID_LABEL);
  }

  /**
   * The events this state calls for: {@code started} always, and once it finished its outcome,
   * under a separate id once Chains signed it (or gave up) so that later news is recorded too.
   */
  public List<Due> due() {
    List<Due> due = new ArrayList<>();
    due.add(new Due(eventId(RunEvent.Phase.STARTED, null), RunEvent.Phase.STARTED, null));
    outcome.ifPresent(phase -> due.add(new Due(eventId(phase, chainsSigned), phase, chainsSigned)));
    return due;
  }

  /**
   * The event id of a phase of this run: {@code run:<uid>:<phase>}, with {@code :chains-signed} or
   * {@code :chains-failed} once Chains acted, so a re-list after a restart finds the same ids.
   */
  public String eventId(RunEvent.Phase phase, Boolean signed) {
    String id = "run:" + uid + ":" + phase.wire();
    if (signed == null) {
      return id;
    }
    return id + (signed ? ":chains-signed" : ":chains-failed");
  }

  /**
   * The event that records a run Tekton resolved from a digest its decision did not pin: {@code
   * run:<uid>:started:resolution-mismatch}, phase {@code started}, unadmitted. Separate from the
   * {@code started} event, which may have been recorded as admitted before Tekton resolved the run.
   */
  public Due resolutionMismatch() {
    return new Due(
        eventId(RunEvent.Phase.STARTED, null) + ":resolution-mismatch",
        RunEvent.Phase.STARTED,
        null);
  }

  /**
   * The run event for one due phase, stating the resolution check's result ({@code null} while
   * there is none).
   */
  public RunEvent event(
      Due due, Admission admission, RunEvent.Resolution resolution, Instant observedAt) {
    return new RunEvent(
        uid,
        type.eventKind(),
        namespace,
        name,
        due.phase(),
        admission.admitted(),
        admission.admitted() ? admission.triggerId() : null,
        admission.admitted() ? admission.decisionId() : null,
        due.phase() == RunEvent.Phase.STARTED ? Map.of() : results,
        due.phase() == RunEvent.Phase.STARTED ? null : due.chainsSigned(),
        observedAt,
        resolution);
  }

  private static Optional<RunEvent.Phase> outcome(JsonNode status) {
    for (JsonNode condition : status.path("conditions")) {
      if (!condition.path("type").asText().equals("Succeeded")) {
        continue;
      }
      String value = condition.path("status").asText();
      if (value.equals("True")) {
        return Optional.of(RunEvent.Phase.SUCCEEDED);
      }
      if (value.equals("False")) {
        return Optional.of(
            CANCELLED_REASONS.contains(condition.path("reason").asText())
                ? RunEvent.Phase.CANCELLED
                : RunEvent.Phase.FAILED);
      }
    }
    return Optional.empty();
  }

  /**
   * Results of {@code status.results} (v1), or {@code pipelineResults} / {@code taskResults} as
   * older servers name them; array and object values as their canonical JSON text.
   */
  private static Map<String, String> results(JsonNode status) {
    Map<String, String> results = new TreeMap<>();
    for (String field : List.of("pipelineResults", "taskResults", "results")) {
      for (JsonNode result : status.path(field)) {
        JsonNode name = result.get("name");
        JsonNode value = result.get("value");
        if (name == null || !name.isTextual() || value == null || value.isNull()) {
          continue;
        }
        results.put(
            name.asText(),
            value.isTextual()
                ? value.asText()
                : new String(CanonicalJson.bytes(value), StandardCharsets.UTF_8));
      }
    }
    return results;
  }

  private static Optional<Owner> owner(ObjectMeta meta) {
    if (meta.getOwnerReferences() != null) {
      for (OwnerReference ref : meta.getOwnerReferences()) {
        if ("PipelineRun".equals(ref.getKind())
            && ref.getApiVersion() != null
            && ref.getApiVersion().startsWith(TektonRun.GROUP + "/")) {
          return Optional.of(new Owner(ref.getName(), ref.getUid()));
        }
      }
    }
    String label = meta.getLabels() == null ? null : meta.getLabels().get(PIPELINE_RUN_LABEL);
    return label == null ? Optional.empty() : Optional.of(new Owner(label, null));
  }
}
