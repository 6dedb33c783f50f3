package dev.tollgate.schemas.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The verifier's one decision for one trigger ({@code decision.v1.schema.json}).
 *
 * <p>The first eight members are the original contract. {@code mode}, {@code violations}, {@code
 * verification} and {@code namespace} were added later and are optional (absent from events of
 * older verifiers, and from decisions no policy applied to): the policy's mode, every rule the
 * trigger broke (in audit mode: admitted anyway), the full bundle verification report, and what was
 * done to the tenant namespace before the run.
 */
public record DecisionEvent(
    String decisionId,
    String triggerId,
    Outcome outcome,
    String repository,
    List<Reason> reasons,
    PolicyRef policy,
    PipelineRunRef pipelineRun,
    Instant decidedAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) Mode mode,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Reason> violations,
    @JsonInclude(JsonInclude.Include.NON_NULL) Verification verification,
    @JsonInclude(JsonInclude.Include.NON_NULL) NamespaceChanges namespace) {

  public DecisionEvent {
    Fields.require(decisionId, Fields.DECISION_ID, "decisionId");
    Fields.require(triggerId, Fields.TRIGGER_ID, "triggerId");
    Fields.require(outcome, "outcome");
    Fields.require(decidedAt, "decidedAt");
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
    violations = violations == null ? List.of() : List.copyOf(violations);
    if (outcome == Outcome.ADMITTED) {
      Fields.require(pipelineRun, "pipelineRun (an admitted decision names its PipelineRun)");
      Fields.require(policy, "policy (an admitted decision names its policy)");
      if (!violations.isEmpty() && mode != Mode.AUDIT) {
        throw new IllegalArgumentException("only audit mode admits a trigger with violations");
      }
      if (verification != null && verification.verdict() == Verification.Verdict.TRANSIENT_ERROR) {
        throw new IllegalArgumentException("a verification that could not be made never admits");
      }
    } else {
      if (pipelineRun != null) {
        throw new IllegalArgumentException("only an admitted decision names a PipelineRun");
      }
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("a decision that admits nothing says why");
      }
    }
    if (mode != null && policy == null) {
      throw new IllegalArgumentException("a mode is the mode of a policy: name the policy");
    }
  }

  /** A decision as the first version of the contract had it: no mode, report or repairs. */
  public DecisionEvent(
      String decisionId,
      String triggerId,
      Outcome outcome,
      String repository,
      List<Reason> reasons,
      PolicyRef policy,
      PipelineRunRef pipelineRun,
      Instant decidedAt) {
    this(
        decisionId,
        triggerId,
        outcome,
        repository,
        reasons,
        policy,
        pipelineRun,
        decidedAt,
        null,
        List.of(),
        null,
        null);
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

  /** The mode of the policy that decided. */
  public enum Mode {
    /** Any violation denies. */
    ENFORCE("enforce"),
    /** Violations are recorded and the trigger is admitted anyway. */
    AUDIT("audit");

    private final String wire;

    Mode(String wire) {
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

  /**
   * The verification of the policy's bundle: every check made, with its evidence.
   *
   * @param requested the bundle reference as the policy wrote it
   * @param pinned the reference by digest that was verified (absent when it did not resolve)
   * @param trustFingerprint identifies the trust configuration the checks were made under
   * @param cached whether the (definitive) result came from the verifier's cache
   */
  public record Verification(
      String requested,
      @JsonInclude(JsonInclude.Include.NON_NULL) String pinned,
      Verdict verdict,
      Instant verifiedAt,
      String trustFingerprint,
      boolean cached,
      List<Check> checks) {
    public Verification {
      Fields.require(requested, "verification.requested");
      Fields.require(verdict, "verification.verdict");
      Fields.require(verifiedAt, "verification.verifiedAt");
      Fields.require(trustFingerprint, "verification.trustFingerprint");
      checks = checks == null ? List.of() : List.copyOf(checks);
      if (checks.isEmpty()) {
        throw new IllegalArgumentException("a verification lists its checks");
      }
      if (verdict == Verdict.VERIFIED && pinned == null) {
        throw new IllegalArgumentException("a verified bundle is pinned");
      }
    }

    /** The verdict on the whole bundle. */
    public enum Verdict {
      /** Every check passed. */
      VERIFIED("verified"),
      /** At least one check failed. */
      DENIED("denied"),
      /** A check could not be made (registry unavailable); never admits, never cached. */
      TRANSIENT_ERROR("transient_error");

      private final String wire;

      Verdict(String wire) {
        this.wire = wire;
      }

      @JsonValue
      public String wire() {
        return wire;
      }
    }
  }

  /**
   * One check of a verification.
   *
   * @param check the kind of check, e.g. {@code bundle.signature}
   * @param subject what was checked, e.g. an image or a step
   * @param code a stable reason code, {@code VERIFIED} for passes
   * @param remediation what to do about a check that did not pass
   * @param evidence what the check found (digests, signers, versions), sorted by key
   */
  public record Check(
      String check,
      String subject,
      CheckOutcome outcome,
      String code,
      String message,
      @JsonInclude(JsonInclude.Include.NON_NULL) String remediation,
      Map<String, String> evidence) {
    public Check {
      Fields.require(check, "check.check");
      Fields.require(subject, "check.subject");
      Fields.require(outcome, "check.outcome");
      Fields.require(code, "check.code");
      Fields.require(message, "check.message");
      if (outcome != CheckOutcome.PASSED && (remediation == null || remediation.isBlank())) {
        throw new IllegalArgumentException("a check that did not pass says what to do about it");
      }
      evidence =
          evidence == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new TreeMap<>(evidence));
    }
  }

  /** How one check ended. */
  public enum CheckOutcome {
    PASSED("passed"),
    FAILED("failed"),
    ERROR("error");

    private final String wire;

    CheckOutcome(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /**
   * What the verifier did to the tenant namespace before the run, as {@code Kind/name}: objects
   * created and objects repaired back to their secure defaults. Both empty: nothing needed doing.
   */
  public record NamespaceChanges(String name, List<String> created, List<String> repaired) {
    public NamespaceChanges {
      Fields.require(name, "namespace.name");
      created = created == null ? List.of() : List.copyOf(created);
      repaired = repaired == null ? List.of() : List.copyOf(repaired);
    }
  }
}
