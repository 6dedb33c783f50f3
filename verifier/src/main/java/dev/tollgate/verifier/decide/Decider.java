package dev.tollgate.verifier.decide;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.ApprovalsUnavailableException;
import dev.tollgate.verifier.policy.ParamBinding;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.policy.SenderCheck;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.CheckName;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.verify.BundleVerification;
import dev.tollgate.verifier.verify.VerificationOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every rule that decides a trigger, in one place and in order: whether the gateway wrote it
 * ({@link #authenticate}, asked before the record is even parsed), whether it is of now, the policy
 * that applies, where its runs go and with what parameters, the sender, the bundle's verification,
 * enforce and audit modes. It performs no I/O of its own: the approvals and the verification it
 * asks for come through the ports it is handed, so a test reaches every rule in milliseconds with
 * fixed ones. Nothing is admitted by default: every path that is not an explicit admission refuses.
 */
public final class Decider {

  /** Prefixed to each violation that audit mode admits anyway. */
  public static final String AUDIT_PREFIX = "[audit mode: admitted anyway] ";

  private Decider() {}

  /**
   * The ruling on a trigger record whose signature checked as {@code signature} under the trusted
   * gateway keys, or empty when the gateway wrote it and it may be read. An unsigned, unknown-key
   * or altered record is {@code error} TRIGGER_SIGNATURE_INVALID, whatever it says: nothing of it
   * (policy, sender, identity, approval, parameters) is looked at.
   *
   * @param where where the record was read ({@code topic-partition@offset}), for the message
   * @param claimedId the record's {@code ce_id} when it is a well-formed trigger id, else null:
   *     quoted so a reader can find the genuine trigger it copies, never used as its identity
   */
  public static Optional<Ruling.Refuse> authenticate(
      EventSignatures.Verification signature, String where, String claimedId) {
    if (signature.verified()) {
      return Optional.empty();
    }
    String which;
    if (signature instanceof EventSignatures.UnknownKey unknown) {
      which = "it is signed by key id " + unknown.keyId() + ", which is not a trusted gateway key";
    } else if (signature instanceof EventSignatures.Invalid invalid) {
      which =
          "its signature does not verify"
              + (invalid.keyId() == null ? "" : " under gateway key " + invalid.keyId())
              + " (altered or forged: "
              + invalid.why()
              + ")";
    } else if (signature instanceof EventSignatures.Unsigned) {
      which = "it is unsigned";
    } else {
      throw new IllegalStateException("a signature check the decider does not know: " + signature);
    }
    return Optional.of(
        refuse(
            new Decision.Failed(
                DecisionReason.TRIGGER_SIGNATURE_INVALID.reason(
                    "The trigger record at "
                        + where
                        + (claimedId == null ? "" : " (claiming trigger id " + claimedId + ")")
                        + " was not written by the gateway: "
                        + which
                        + "; nothing of it was acted on"))));
  }

  /**
   * The ruling on {@code trigger} under {@code policies}, decided at {@code now}.
   *
   * @param freshness how old (and how far ahead of {@code now}) a trigger may be
   * @param approvals records the trigger's {@code /ok-to-test}, if it carries one, and answers
   *     which head SHA a fork pull request was approved at
   * @param verification verifies the bundle of the matching policy, asked only when the trigger
   *     passed every rule that needs no registry
   */
  public static Ruling decide(
      TriggerEvent trigger,
      Instant now,
      TriggerFreshness freshness,
      PolicySnapshot policies,
      Approvals approvals,
      BundleVerification verification) {
    Optional<Ruling.Refuse> untimely = timeliness(trigger, now, freshness);
    if (untimely.isPresent()) {
      return untimely.get();
    }
    if (!policies.loaded()) {
      return refuse(
          new Decision.Failed(
              DecisionReason.POLICIES_NOT_LOADED.reason(
                  "The policy ConfigMap has not been read yet, so the policies in force are not"
                      + " known")));
    }
    try {
      approvals.record(trigger);
    } catch (ApprovalsUnavailableException e) {
      return refuse(approvalsUnavailable(null, Decision.Evidence.NONE, e));
    }
    PolicySet.Selection selection = PolicySet.select(policies.policies(), trigger);
    if (selection.policy().isEmpty()) {
      Reason why = selection.none().orElseThrow();
      if (DecisionReason.POLICY_AMBIGUOUS.is(why)) {
        return refuse(new Decision.Denied(null, List.of(why)));
      }
      return refuse(new Decision.Ignored(why));
    }
    TriggerPolicy policy = selection.policy().get();
    DecisionEvent.PolicyRef ref = new DecisionEvent.PolicyRef(policy.name(), policy.version());
    boolean audit = policy.mode() == TriggerPolicy.Mode.AUDIT;
    Decision.Evidence evidence = Decision.Evidence.of(policy.mode());

    // Never relaxed by audit mode: where runs go and what they run with.
    List<Reason> hard = new ArrayList<>();
    policies.namespaces().refuse(policy.run().namespace()).ifPresent(hard::add);
    ParamBinding.Bound bound =
        ParamBinding.bind(policy.run().params(), policy.run().paramPatterns(), selection.trigger());
    if (!bound.unbound().isEmpty()) {
      hard.add(
          DecisionReason.PARAM_UNBOUND.reason(
              "Parameters of policy "
                  + policy.name()
                  + " did not bind: "
                  + String.join(", ", bound.unbound())));
    }
    if (!bound.unsafe().isEmpty()) {
      hard.add(
          DecisionReason.PARAM_VALUE_UNSAFE.reason(
              "Parameters of policy "
                  + policy.name()
                  + " bound a value containing Tekton's variable syntax $( from the trigger,"
                  + " which Tekton would expand where the parameter is used: "
                  + String.join(", ", bound.unsafe())));
    }
    if (!bound.mismatched().isEmpty()) {
      hard.add(
          DecisionReason.PARAM_PATTERN_MISMATCH.reason(
              "Parameters of policy "
                  + policy.name()
                  + " bound a value that does not match the parameter's pattern: "
                  + String.join(", ", bound.mismatched())));
    }
    List<Reason> violations;
    try {
      violations = new ArrayList<>(SenderCheck.violations(policy.sender(), trigger, approvals));
    } catch (ApprovalsUnavailableException e) {
      return refuse(approvalsUnavailable(ref, evidence, e));
    }
    if (!hard.isEmpty() || (!audit && !violations.isEmpty())) {
      hard.addAll(violations);
      return refuse(new Decision.Denied(ref, hard, evidence.withViolations(hard)));
    }

    VerificationOutcome outcome = verification.verify(policy);
    if (outcome instanceof VerificationOutcome.Interrupted) {
      return interrupted();
    }
    if (outcome instanceof VerificationOutcome.TrustUnusable unusable) {
      return refuse(
          new Decision.Failed(
              ref,
              DecisionReason.TRUST_CONFIGURATION_INVALID.reason(
                  "Policy "
                      + policy.name()
                      + ": the trust configuration cannot be used: "
                      + unusable.why()),
              evidence.withViolations(violations)));
    }
    VerificationOutcome.Reported reported = (VerificationOutcome.Reported) outcome;
    return judge(
        policy, ref, reported, bound, violations, evidence.withVerification(reported.report()));
  }

  /**
   * A trigger accepted by the gateway longer ago than the bound (a backlog, a replayed record) or
   * dated ahead of the clock gets a decision of its own and nothing else is asked: not even its
   * {@code /ok-to-test} is recorded.
   */
  private static Optional<Ruling.Refuse> timeliness(
      TriggerEvent trigger, Instant now, TriggerFreshness freshness) {
    Duration age = Duration.between(trigger.receivedAt(), now);
    if (age.compareTo(freshness.maxAge()) > 0) {
      return Optional.of(
          refuse(
              new Decision.Failed(
                  DecisionReason.TRIGGER_STALE.reason(
                      "Trigger "
                          + trigger.triggerId()
                          + " was accepted by the gateway at "
                          + trigger.receivedAt()
                          + ", "
                          + age
                          + " before it was decided at "
                          + now
                          + "; triggers older than "
                          + freshness.maxAge()
                          + " are not acted on"))));
    }
    if (age.negated().compareTo(freshness.maxClockSkew()) > 0) {
      return Optional.of(
          refuse(
              new Decision.Failed(
                  DecisionReason.TRIGGER_TIME_AHEAD.reason(
                      "Trigger "
                          + trigger.triggerId()
                          + " is dated "
                          + trigger.receivedAt()
                          + ", "
                          + age.negated()
                          + " ahead of the verifier's clock ("
                          + now
                          + "; allowed skew "
                          + freshness.maxClockSkew()
                          + ")"))));
    }
    return Optional.empty();
  }

  /** The ruling once the bundle's report is in. */
  private static Ruling judge(
      TriggerPolicy policy,
      DecisionEvent.PolicyRef ref,
      VerificationOutcome.Reported reported,
      ParamBinding.Bound bound,
      List<Reason> violations,
      Decision.Evidence evidence) {
    boolean audit = policy.mode() == TriggerPolicy.Mode.AUDIT;
    VerificationReport report = reported.report();
    if (report.verdict() == Verdict.TRANSIENT_ERROR) {
      return refuse(
          new Decision.Failed(
              ref,
              DecisionReason.REGISTRY_UNAVAILABLE.reason(
                  "Bundle "
                      + policy.run().bundle()
                      + " could not be verified after "
                      + reported.attempts()
                      + " attempts: "
                      + summary(report.problems())),
              evidence.withViolations(violations)));
    }
    for (Check c : report.problems()) {
      violations.add(reason(c));
    }
    Optional<String> pinned = digestOnly(report.pinned());
    if (pinned.isEmpty()) {
      violations.add(
          DecisionReason.BUNDLE_NOT_PINNED.reason(
              "Bundle " + policy.run().bundle() + " did not resolve to a digest"));
      return refuse(new Decision.Denied(ref, violations, evidence.withViolations(violations)));
    }
    Decision.Evidence withViolations = evidence.withViolations(violations);
    if (!audit && !violations.isEmpty()) {
      return refuse(new Decision.Denied(ref, violations, withViolations));
    }
    List<Reason> notes = new ArrayList<>();
    for (Reason v : violations) {
      notes.add(new Reason(v.code(), AUDIT_PREFIX + v.message(), v.remediation()));
    }
    if (report.verified()) {
      notes.add(
          DecisionReason.BUNDLE_VERIFIED.reason(
              "Bundle "
                  + report.pinned().get()
                  + " verified: "
                  + report.checks().size()
                  + " checks passed under trust configuration "
                  + report.trustFingerprint()
                  + (report.cached() ? " (cached result)" : "")
                  + resolution(report)));
    }
    return new Ruling.Admit(ref, policy, pinned.get(), bound.values(), notes, withViolations);
  }

  /** The ruling when the verifier was stopped while deciding. */
  public static Ruling.Refuse interrupted() {
    return refuse(
        new Decision.Failed(
            DecisionReason.INTERRUPTED.reason("The verifier was stopped while deciding")));
  }

  private static Ruling.Refuse refuse(Decision.NotAdmitted decision) {
    return new Ruling.Refuse(decision);
  }

  private static Decision.Failed approvalsUnavailable(
      DecisionEvent.PolicyRef ref, Decision.Evidence evidence, ApprovalsUnavailableException e) {
    return new Decision.Failed(
        ref,
        DecisionReason.APPROVALS_UNAVAILABLE.reason(
            "The /ok-to-test approvals could not be read or written: " + e.getMessage()),
        evidence);
  }

  /** How the digest was reached, e.g. "; tag v1 resolved at ... (cached, ttl 30s) to ...". */
  private static String resolution(VerificationReport report) {
    return report.checks().stream()
        .filter(c -> CheckName.BUNDLE_RESOLVE.is(c) && c.evidence().containsKey("tag"))
        .findFirst()
        .map(c -> "; " + c.message())
        .orElse("");
  }

  /** {@code repository@sha256:...}: the verified digest and nothing a tag could move. */
  private static Optional<String> digestOnly(Optional<String> pinned) {
    if (pinned.isEmpty()) {
      return Optional.empty();
    }
    try {
      ImageReference r = ImageReference.parse(pinned.get());
      return r.digest().map(d -> r.repository() + "@" + d);
    } catch (OciException e) {
      return Optional.empty();
    }
  }

  private static Reason reason(Check c) {
    return new Reason(
        c.code(),
        c.name() + " · " + c.subject() + ": " + c.message(),
        c.remediation().orElse(null));
  }

  private static String summary(List<Check> problems) {
    return problems.stream()
        .map(c -> c.code() + " (" + c.subject() + ")")
        .distinct()
        .toList()
        .toString();
  }
}
