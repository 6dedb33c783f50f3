package dev.tollgate.verifier.reason;

import dev.tollgate.schemas.event.Reason;
import java.util.Arrays;
import java.util.Optional;

/**
 * Every reason code a decision of the verifier can carry besides the codes of verification checks,
 * each with what to do about it. A code is written only through this catalog, so a code a reader
 * looks up here is one the verifier writes, and a new code comes with its remediation.
 */
public enum DecisionReason {
  // ---- whether the trigger is one the gateway wrote, and one of now
  /**
   * The trigger's signature does not verify under a trusted gateway key (unsigned, signed by an
   * unknown key, or altered): error, and nothing of it is acted on.
   */
  TRIGGER_SIGNATURE_INVALID(
      "Triggers count only when the gateway wrote them: find who else writes to the triggers topic"
          + " (its ACLs allow the gateway alone) and remove it. If the gateway's key was rotated,"
          + " add its new public key to tollgate.trust.gateway-keys of the verifier. Nothing ran."),
  /** The trigger was accepted by the gateway longer ago than the freshness bound: error. */
  TRIGGER_STALE(
      "Nothing ran. Trigger again at the source (push, re-run the check, comment /ok-to-test,"
          + " call the external trigger again); a GitHub redelivery of the same delivery reaches the"
          + " verifier only once the gateway no longer remembers the delivery id. Many stale"
          + " triggers at once mean the verifier fell behind: check its consumer lag."),
  /** The trigger is dated ahead of the verifier's clock by more than the allowed skew: error. */
  TRIGGER_TIME_AHEAD(
      "Synchronize the clocks of the gateway and verifier hosts (NTP), then trigger again at the"
          + " source. Nothing ran."),

  // ---- which policy applies
  /** No policy matches: the trigger is ignored. */
  NO_MATCHING_POLICY(
      "Add a TriggerPolicy that matches this repository and event if it should run"
          + " pipelines; until then Tollgate runs nothing for it."),
  /** More than one policy matches: denied. */
  POLICY_AMBIGUOUS(
      "Narrow the policies' match sections so that exactly one applies to each"
          + " trigger; nothing runs while more than one does."),
  /** The policy ConfigMap was not read yet: error. */
  POLICIES_NOT_LOADED(
      "Check the verifier's access to the Kubernetes API (get, list and watch on the"
          + " ConfigMap), then redeliver the trigger; nothing ran."),

  // ---- where runs go and what they run with (never relaxed by audit mode)
  /** The policy sends runs to {@code default} or a system namespace. */
  NAMESPACE_FORBIDDEN(
      "Set spec.run.namespace of the policy to a tenant namespace of its own, such as"
          + " team-<name>."),
  /**
   * The policy's namespace exists but nobody handed it to Tollgate (label missing), or it does not
   * enforce the restricted Pod Security Standard: denied, nothing written to it.
   */
  NAMESPACE_NOT_MANAGED(
      "Name a namespace that does not exist yet in spec.run.namespace (Tollgate creates it), or"
          + " have an administrator hand the existing one to Tollgate with the labels"
          + " app.kubernetes.io/managed-by=tollgate and"
          + " pod-security.kubernetes.io/enforce=restricted; nothing ran."),
  /** The policy names a registry pull Secret no administrator designated a source for. */
  PULL_SECRET_NOT_DESIGNATED(
      "Name in spec.run.pullSecret one of the pull Secrets listed in the verifier's"
          + " tollgate.verifier.tenants.pull-secrets, or have an administrator designate a source"
          + " for it there (name=namespace/secret, with a Role granting get on that Secret alone);"
          + " nothing ran."),
  /** The designated source of the pull Secret is missing or not a docker config Secret. */
  PULL_SECRET_UNAVAILABLE(
      "An administrator creates the designated source Secret (type"
          + " kubernetes.io/dockerconfigjson, key .dockerconfigjson) in its namespace, then the"
          + " trigger is redelivered; nothing ran."),
  /** A run parameter's placeholder did not resolve. */
  PARAM_UNBOUND(
      "Fix spec.run.params to name fields this trigger has, or narrow spec.match to"
          + " triggers that have them."),
  /**
   * A value bound from the trigger (a title, branch name, commit message a fork author writes)
   * contains Tekton's variable syntax {@code $(}: denied, never relaxed by audit mode.
   */
  PARAM_VALUE_UNSAFE(
      "Nothing ran: a value the trigger's author controls may not carry Tekton's $( into the"
          + " run. Rename the branch or edit the title or message, or bind a field that cannot hold"
          + " it (a SHA, a number). In the pipeline, pass parameters to steps through env, never"
          + " into script."),
  /** A bound value does not match the pattern its parameter has in the policy: denied. */
  PARAM_PATTERN_MISMATCH(
      "Nothing ran: the bound value is not one the policy's spec.run.params.<name>.pattern"
          + " allows. Change the value at the source (branch name, title), or widen the pattern if"
          + " the value is legitimate."),

  // ---- the sender
  /** The trigger carries no identity although the policy needs one. */
  IDENTITY_UNAVAILABLE(
      "Upgrade the gateway to one that identifies senders (identity in trigger.v1), or"
          + " relax spec.sender if this policy really needs no sender check."),
  /** The sender's permission could not be looked up. */
  IDENTITY_UNVERIFIED(
      "Check the gateway's GitHub App credentials and API access, then redeliver the"
          + " webhook."),
  /** The sender has less permission than the policy requires. */
  PERMISSION_INSUFFICIENT(
      "A maintainer with the required permission can trigger the pipeline (for a pull"
          + " request: comment /ok-to-test)."),
  /** A fork pull request under a policy that runs none. */
  FORK_PULL_REQUEST_DENIED(
      "Push the branch to the repository itself, or set spec.sender.forkPullRequests:"
          + " okToTest."),
  /** A fork pull request without an {@code /ok-to-test} for its head. */
  FORK_NOT_APPROVED(
      "A maintainer reviews the change and comments /ok-to-test on the pull request."),
  /** A fork pull request approved at another head SHA. */
  APPROVAL_STALE(
      "An approval covers one commit only: a maintainer reviews the new commits and"
          + " comments /ok-to-test again."),
  /**
   * An {@code /ok-to-test} the gateway could not bind to the commit that was reviewed: the head is
   * not the commit it names, or (a bare one) the pull request changed after it was written.
   */
  APPROVAL_NOT_BOUND(
      "Review the pull request's head and comment /ok-to-test <sha> naming that commit (7 or more"
          + " hex characters of it); nothing ran."),
  /** The approvals journal could not be read or written: error. */
  APPROVALS_UNAVAILABLE(
      "Check the verifier's access to Kafka and the approvals topic, then redeliver the"
          + " trigger (or comment /ok-to-test again); nothing ran."),

  // ---- the bundle
  /** The policy's trust configuration cannot be used: error. */
  TRUST_CONFIGURATION_INVALID(
      "Fix the file spec.trust.policyFile names; nothing runs under this policy until then."),
  /** The registry did not answer within the retries: error. */
  REGISTRY_UNAVAILABLE(
      "Check the registry's availability and the verifier's access to it, then redeliver"
          + " the trigger; nothing ran."),
  /** The bundle did not resolve to a digest: denied. */
  BUNDLE_NOT_PINNED("Push the bundle and check spec.run.bundle."),
  /** Every check of the bundle passed (a note on an admission). */
  BUNDLE_VERIFIED(null),

  // ---- the run
  /** The tenant namespace was created or repaired (a note on an admission). */
  NAMESPACE_PROVISIONED(
      "Nothing to do: Tollgate keeps tenant namespaces at their secure defaults."),
  /** The run for this trigger existed already (a note on an admission). */
  PIPELINE_RUN_EXISTS(null),
  /** The API server did not answer within the retries: error. */
  CLUSTER_UNAVAILABLE(
      "Check the verifier's access to the Kubernetes API server and its RBAC, then redeliver"
          + " the trigger; nothing ran."),

  // ---- the verifier itself
  /** The trigger record is not a trigger the gateway wrote: error. */
  UNREADABLE_TRIGGER(
      "Triggers are written by the gateway only; look for another producer on the"
          + " triggers topic or a gateway/schema version mismatch."),
  /** The verifier was stopped while deciding: error. */
  INTERRUPTED("Redeliver the trigger."),
  /** Deciding failed on a fault of the verifier itself; failed closed: error. */
  INTERNAL_ERROR(
      "Report the verifier's log for this trigger id to the Tollgate operators; redeliver the"
          + " trigger once the fault is fixed. Nothing ran.");

  private final Optional<String> remediation;

  DecisionReason(String remediation) {
    this.remediation = Optional.ofNullable(remediation);
  }

  /** The code as it goes on the wire. */
  public String code() {
    return name();
  }

  /** What to do about it; empty for the notes that need nothing done. */
  public Optional<String> remediation() {
    return remediation;
  }

  /** A reason with this code, {@code message} and the catalog's remediation. */
  public Reason reason(String message) {
    return new Reason(code(), message, remediation.orElse(null));
  }

  /** A reason with this code, {@code message} and a remediation specific to the case. */
  public Reason reason(String message, String specificRemediation) {
    return new Reason(code(), message, specificRemediation);
  }

  /** Whether {@code reason} carries this code. */
  public boolean is(Reason reason) {
    return code().equals(reason.code());
  }

  /** The entry for a code, if the catalog has it. */
  public static Optional<DecisionReason> of(String code) {
    return Arrays.stream(values()).filter(r -> r.code().equals(code)).findFirst();
  }
}
