package dev.tollgate.schemas.event;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Map;

/** What the run watch saw a PipelineRun or TaskRun do ({@code run.v1.schema.json}). */
public record RunEvent(
    String runUid,
    Kind kind,
    String namespace,
    String name,
    Phase phase,
    boolean admitted,
    String triggerId,
    String decisionId,
    Map<String, String> results,
    Boolean chainsSigned,
    Instant observedAt) {

  public RunEvent {
    Fields.require(runUid, "runUid");
    Fields.require(kind, "kind");
    Fields.require(namespace, "namespace");
    Fields.require(name, "name");
    Fields.require(phase, "phase");
    Fields.optional(triggerId, Fields.TRIGGER_ID, "triggerId");
    Fields.optional(decisionId, Fields.DECISION_ID, "decisionId");
    Fields.require(observedAt, "observedAt");
    results = results == null ? Map.of() : Map.copyOf(results);
  }

  /** The Tekton resource kind. */
  public enum Kind {
    PIPELINE_RUN("PipelineRun"),
    TASK_RUN("TaskRun");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /** Where the run is in its life. */
  public enum Phase {
    STARTED("started"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String wire;

    Phase(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }
}
