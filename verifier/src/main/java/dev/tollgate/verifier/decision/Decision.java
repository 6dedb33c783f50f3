package dev.tollgate.verifier.decision;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import java.util.List;

/**
 * What the verifier concluded for one trigger. Each outcome carries what its event needs, so an
 * admit without a pinned PipelineRun or a denial without a reason cannot be written down.
 */
public sealed interface Decision {

  /** The reasons a person reads. */
  List<Reason> reasons();

  /** The outcome as it goes on the wire. */
  DecisionEvent.Outcome outcome();

  /**
   * A PipelineRun pinned to the verified bundle digest was created (or already existed for this
   * trigger). The reasons record what else happened: the verification, namespace repairs, and in
   * audit mode every violation admitted anyway.
   */
  record Admitted(
      DecisionEvent.PolicyRef policy,
      DecisionEvent.PipelineRunRef pipelineRun,
      List<Reason> reasons)
      implements Decision {
    public Admitted {
      if (policy == null || pipelineRun == null) {
        throw new IllegalArgumentException("an admission names its policy and its PipelineRun");
      }
      reasons = List.copyOf(reasons);
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.ADMITTED;
    }
  }

  /** A policy applies and one of its checks failed. */
  record Denied(DecisionEvent.PolicyRef policy, List<Reason> reasons) implements Decision {
    public Denied {
      reasons = List.copyOf(reasons);
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("a denial says why");
      }
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.DENIED;
    }
  }

  /** No policy applies to the trigger: nothing runs. */
  record Ignored(Reason reason) implements Decision {
    @Override
    public List<Reason> reasons() {
      return List.of(reason);
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.IGNORED;
    }
  }

  /** The verifier could not decide (unreadable trigger, retries exhausted): nothing runs. */
  record Failed(Reason reason) implements Decision {
    @Override
    public List<Reason> reasons() {
      return List.of(reason);
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.ERROR;
    }
  }
}
