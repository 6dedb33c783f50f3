package dev.tollgate.verifier.decide;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.verifier.namespace.TenantProvisioner;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.VerificationReport;
import java.time.Instant;

/** A {@link Decision} as the event on {@code tollgate.decisions.v1}. */
public final class DecisionEvents {
  private DecisionEvents() {}

  /** The event for {@code decision}, with everything its evidence holds. */
  public static DecisionEvent of(
      String decisionId,
      String triggerId,
      String repository,
      Decision decision,
      Instant decidedAt) {
    Decision.Evidence e = decision.evidence();
    DecisionEvent.PipelineRunRef run =
        decision instanceof Decision.Admitted a ? a.pipelineRun() : null;
    return new DecisionEvent(
        decisionId,
        triggerId,
        decision.outcome(),
        repository,
        decision.reasons(),
        decision.policy().orElse(null),
        run,
        decidedAt,
        e.mode().map(DecisionEvents::mode).orElse(null),
        e.violations(),
        e.verification().map(DecisionEvents::verification).orElse(null),
        e.namespace().map(DecisionEvents::namespace).orElse(null));
  }

  private static DecisionEvent.Mode mode(TriggerPolicy.Mode m) {
    return switch (m) {
      case AUDIT -> DecisionEvent.Mode.AUDIT;
      case ENFORCE -> DecisionEvent.Mode.ENFORCE;
    };
  }

  static DecisionEvent.Verification verification(VerificationReport r) {
    DecisionEvent.Verification.Verdict verdict =
        switch (r.verdict()) {
          case VERIFIED -> DecisionEvent.Verification.Verdict.VERIFIED;
          case DENIED -> DecisionEvent.Verification.Verdict.DENIED;
          case TRANSIENT_ERROR -> DecisionEvent.Verification.Verdict.TRANSIENT_ERROR;
        };
    return new DecisionEvent.Verification(
        r.requested(),
        r.pinned().orElse(null),
        verdict,
        r.verifiedAt(),
        r.trustFingerprint(),
        r.cached(),
        r.checks().stream().map(DecisionEvents::check).toList());
  }

  private static DecisionEvent.Check check(Check c) {
    DecisionEvent.CheckOutcome outcome =
        switch (c.outcome()) {
          case PASSED -> DecisionEvent.CheckOutcome.PASSED;
          case FAILED -> DecisionEvent.CheckOutcome.FAILED;
          case ERROR -> DecisionEvent.CheckOutcome.ERROR;
        };
    return new DecisionEvent.Check(
        c.name(),
        c.subject(),
        outcome,
        c.code(),
        c.message(),
        c.remediation().orElse(null),
        c.evidence());
  }

  private static DecisionEvent.NamespaceChanges namespace(TenantProvisioner.Report r) {
    return new DecisionEvent.NamespaceChanges(r.namespace(), r.created(), r.repaired());
  }
}
