package dev.tollgate.schemas.event;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/** The verifier's one decision for one trigger ({@code decision.v1.schema.json}). */
public record DecisionEvent(
    String decisionId,
    String triggerId,
    Outcome outcome,
    String repository,
    List<Reason> reasons,
    PolicyRef policy,
    PipelineRunRef pipelineRun,
    Instant decidedAt) {

  public DecisionEvent {
    Fields.require(decisionId, Fields.DECISION_ID, "decisionId");
    Fields.require(triggerId, Fields.TRIGGER_ID, "triggerId");
    Fields.require(outcome, "outcome");
    Fields.require(decidedAt, "decidedAt");
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
    if (outcome == Outcome.ADMITTED) {
      Fields.require(pipelineRun, "pipelineRun (an admitted decision names its PipelineRun)");
      Fields.require(policy, "policy (an admitted decision names its policy)");
    } else {
      if (pipelineRun != null) {
        throw new IllegalArgumentException("only an admitted decision names a PipelineRun");
      }
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("a decision that admits nothing says why");
      }
    }
  }

  /** What was decided. */
  public enum Outcome {
    /** A PipelineRun was created. */
    ADMITTED("admitted"),
    /** A check failed; nothing runs. */
    DENIED("denied"),
    /** Nothing applies to this trigger; nothing runs. */
    IGNORED("ignored"),
    /** The verifier could not decide; nothing runs. */
    ERROR("error");

    private final String wire;

    Outcome(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /** The policy that decided. */
  public record PolicyRef(String name, String version) {
    public PolicyRef {
      Fields.require(name, "policy.name");
      Fields.require(version, "policy.version");
    }
  }

  /** The PipelineRun an admitted decision created. */
  public record PipelineRunRef(String namespace, String name, String bundle) {
    private static final Pattern PINNED = Pattern.compile(".+@sha256:[0-9a-f]{64}");

    public PipelineRunRef {
      Fields.require(namespace, "pipelineRun.namespace");
      Fields.require(name, "pipelineRun.name");
      Fields.require(bundle, PINNED, "pipelineRun.bundle");
    }
  }
}
