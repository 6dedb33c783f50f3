package dev.tollgate.cli.replay;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.CheckName;
import dev.tollgate.verifier.report.Outcome;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.verify.BundleVerification;
import dev.tollgate.verifier.verify.VerificationOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bundle verification a recorded decision carries, answered again for a replayed trigger when
 * it applies to the new policy: the decision verified as the verifier's, and the new policy asks
 * for the same bundle reference, under the same trust configuration (its fingerprint), for the same
 * pipeline. Otherwise {@link NotRecordedException}: the trigger is undetermined. No registry is
 * contacted.
 */
final class RecordedVerification implements BundleVerification {

  /** The new policy needs a verification the ledger does not hold. */
  static final class NotRecordedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotRecordedException(String message) {
      super(message);
    }
  }

  private final Optional<DecisionEvent.Verification> recorded;
  private boolean reused;

  /**
   * @param recorded the verification of the trigger's recorded decision, only when that decision
   *     verified as the verifier's
   */
  RecordedVerification(Optional<DecisionEvent.Verification> recorded) {
    this.recorded = recorded;
  }

  /** Whether the recorded verification was used for the new ruling. */
  boolean reused() {
    return reused;
  }

  @Override
  public VerificationOutcome verify(TriggerPolicy policy) {
    String bundle = policy.run().bundle();
    if (recorded.isEmpty()) {
      throw new NotRecordedException(
          "policy "
              + policy.name()
              + " needs bundle "
              + bundle
              + " verified, and the recorded decision carries no verification (of the"
              + " verifier's) to reuse");
    }
    DecisionEvent.Verification v = recorded.get();
    String requested = normalized(bundle);
    if (!requested.equals(v.requested())) {
      throw new NotRecordedException(
          "policy "
              + policy.name()
              + " runs bundle "
              + requested
              + "; the recorded verification is of "
              + v.requested());
    }
    if (!policy.trust().fingerprint().equals(v.trustFingerprint())) {
      throw new NotRecordedException(
          "policy "
              + policy.name()
              + " trusts configuration "
              + policy.trust().fingerprint()
              + "; bundle "
              + requested
              + " was verified under "
              + v.trustFingerprint());
    }
    Optional<String> pipeline =
        v.checks().stream()
            .filter(c -> c.check().equals(CheckName.BUNDLE_PIPELINE.wire()))
            .map(c -> c.evidence().get("pipeline"))
            .filter(p -> p != null)
            .findFirst();
    if (pipeline.isPresent() && !pipeline.get().equals(policy.run().pipeline())) {
      throw new NotRecordedException(
          "policy "
              + policy.name()
              + " runs pipeline "
              + policy.run().pipeline()
              + "; the recorded verification inspected pipeline "
              + pipeline.get());
    }
    List<Check> checks = new ArrayList<>();
    for (DecisionEvent.Check c : v.checks()) {
      Outcome outcome =
          switch (c.outcome()) {
            case PASSED -> Outcome.PASSED;
            case FAILED -> Outcome.FAILED;
            case ERROR -> Outcome.ERROR;
          };
      checks.add(
          new Check(
              c.check(),
              c.subject(),
              outcome,
              c.code(),
              c.message(),
              Optional.ofNullable(c.remediation()),
              c.evidence()));
    }
    reused = true;
    return new VerificationOutcome.Reported(
        VerificationReport.of(
            v.requested(),
            Optional.ofNullable(v.pinned()),
            checks,
            v.verifiedAt(),
            v.trustFingerprint()),
        1);
  }

  /** The reference as the verifier writes it in a report. */
  private static String normalized(String bundle) {
    try {
      return ImageReference.parse(bundle).toString();
    } catch (OciException e) {
      return bundle;
    }
  }
}
