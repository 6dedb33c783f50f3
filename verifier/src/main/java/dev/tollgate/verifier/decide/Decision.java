package dev.tollgate.verifier.decide;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.verifier.namespace.TenantProvisioner;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.report.VerificationReport;
import java.util.List;
import java.util.Optional;

/**
 * What the verifier concluded for one trigger. Each outcome carries what its event needs, so an
 * admit without a pinned PipelineRun or a denial without a reason cannot be written down.
 */
public sealed interface Decision {

  /** Every outcome but an admission: what the decider concludes without a launch. */
  sealed interface NotAdmitted extends Decision {}

  /** The reasons a person reads. */
  List<Reason> reasons();

  /** The outcome as it goes on the wire. */
  DecisionEvent.Outcome outcome();

  /** The policy that decided, if one applied. */
  default Optional<DecisionEvent.PolicyRef> policy() {
    return Optional.empty();
  }

  /** What the decision rests on besides its reasons. */
  default Evidence evidence() {
    return Evidence.NONE;
  }

  /**
   * The mode of the policy that decided, every rule the trigger broke (in audit mode: admitted
   * anyway), the bundle's verification report when the bundle was verified, and what was done to
   * the tenant namespace when it was provisioned.
   */
  record Evidence(
      Optional<TriggerPolicy.Mode> mode,
      List<Reason> violations,
      Optional<VerificationReport> verification,
      Optional<TenantProvisioner.Report> namespace) {
    public static final Evidence NONE =
        new Evidence(Optional.empty(), List.of(), Optional.empty(), Optional.empty());

    public Evidence {
      violations = List.copyOf(violations);
    }

    /** Under a policy in {@code mode}, nothing found yet. */
    public static Evidence of(TriggerPolicy.Mode mode) {
      return new Evidence(Optional.of(mode), List.of(), Optional.empty(), Optional.empty());
    }

    public Evidence withViolations(List<Reason> v) {
      return new Evidence(mode, v, verification, namespace);
    }

    public Evidence withVerification(VerificationReport r) {
      return new Evidence(mode, violations, Optional.of(r), namespace);
    }

    public Evidence withNamespace(TenantProvisioner.Report n) {
      return new Evidence(mode, violations, verification, Optional.of(n));
    }
  }

  /**
   * A PipelineRun pinned to the verified bundle digest was created (or already existed for this
   * trigger). The reasons record what else happened: the verification, namespace repairs, and in
   * audit mode every violation admitted anyway.
   */
  record Admitted(
      DecisionEvent.PolicyRef ref,
      DecisionEvent.PipelineRunRef pipelineRun,
      List<Reason> reasons,
      Evidence evidence)
      implements Decision {
    public Admitted {
      if (ref == null || pipelineRun == null) {
        throw new IllegalArgumentException("an admission names its policy and its PipelineRun");
      }
      reasons = List.copyOf(reasons);
      if (!evidence.violations().isEmpty()
          && evidence.mode().orElse(TriggerPolicy.Mode.ENFORCE) != TriggerPolicy.Mode.AUDIT) {
        throw new IllegalArgumentException("only audit mode admits a trigger with violations");
      }
    }

    public Admitted(
        DecisionEvent.PolicyRef ref,
        DecisionEvent.PipelineRunRef pipelineRun,
        List<Reason> reasons) {
      this(ref, pipelineRun, reasons, Evidence.NONE);
    }

    @Override
    public Optional<DecisionEvent.PolicyRef> policy() {
      return Optional.of(ref);
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.ADMITTED;
    }
  }

  /** A policy applies and one of its checks failed (or more than one policy applies). */
  record Denied(DecisionEvent.PolicyRef ref, List<Reason> reasons, Evidence evidence)
      implements NotAdmitted {
    public Denied {
      reasons = List.copyOf(reasons);
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("a denial says why");
      }
    }

    public Denied(DecisionEvent.PolicyRef ref, List<Reason> reasons) {
      this(ref, reasons, Evidence.NONE);
    }

    @Override
    public Optional<DecisionEvent.PolicyRef> policy() {
      return Optional.ofNullable(ref);
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.DENIED;
    }
  }

  /** No policy applies to the trigger: nothing runs. */
  record Ignored(Reason reason) implements NotAdmitted {
    @Override
    public List<Reason> reasons() {
      return List.of(reason);
    }

    @Override
    public DecisionEvent.Outcome outcome() {
      return DecisionEvent.Outcome.IGNORED;
    }
  }

  /**
   * The verifier could not decide (unreadable trigger, retries exhausted, trust configuration
   * unusable): nothing runs.
   */
  record Failed(DecisionEvent.PolicyRef ref, Reason reason, Evidence evidence)
      implements NotAdmitted {
    public Failed {
      if (reason == null) {
        throw new IllegalArgumentException("an error says why");
      }
    }

    public Failed(Reason reason) {
      this(null, reason, Evidence.NONE);
    }

    @Override
    public Optional<DecisionEvent.PolicyRef> policy() {
      return Optional.ofNullable(ref);
    }

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
