package dev.tollgate.verifier.policy;

import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.reason.DecisionReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a GitHub trigger's sender against a policy's sender rules. Scheduled and external triggers
 * are matched by name and subject instead and have no sender to check. Anything not known counts
 * against the sender: no identity, an unverified one, an unknown fork status.
 */
public final class SenderCheck {

  private SenderCheck() {}

  /** The violations of {@code rules} by the trigger; empty when the sender qualifies. */
  public static List<Reason> violations(
      TriggerPolicy.SenderRules rules, TriggerEvent trigger, Approvals approvals) {
    List<Reason> out = new ArrayList<>();
    if (trigger.source() != TriggerEvent.Source.GITHUB) {
      return out;
    }
    String who = trigger.sender() == null ? "the sender" : "sender " + trigger.sender().login();
    TriggerEvent.Identity identity = trigger.identity();
    boolean needsPermission = rules.minPermission() != TriggerEvent.Permission.NONE;
    if (identity == null) {
      if (rules.requireVerified() || needsPermission || trigger.pullRequest() != null) {
        out.add(
            DecisionReason.IDENTITY_UNAVAILABLE.reason(
                "The trigger carries no identity for "
                    + who
                    + " on "
                    + trigger.repository()
                    + "; the policy requires a "
                    + (needsPermission
                        ? rules.minPermission().wire() + " permission"
                        : "verified sender")));
      }
      return out;
    }
    if (rules.requireVerified() && !identity.verified()) {
      out.add(
          DecisionReason.IDENTITY_UNVERIFIED.reason(
              "The permission of "
                  + who
                  + " on "
                  + trigger.repository()
                  + " could not be verified ("
                  + identity.unverifiedReason()
                  + ")"));
    }
    boolean fork = trigger.pullRequest() != null && !Boolean.FALSE.equals(identity.fromFork());
    if (fork) {
      // A fork's author runs nothing on their own permission: a writer's approval of this exact
      // head SHA is what admits it.
      fork(rules, trigger, approvals).ifPresent(r -> out.add(0, r));
      return out;
    }
    if (needsPermission) {
      TriggerEvent.Permission has = identity.permission();
      if (has == null || rank(has) < rank(rules.minPermission())) {
        out.add(
            DecisionReason.PERMISSION_INSUFFICIENT.reason(
                who
                    + " has "
                    + (has == null ? "an unknown" : has.wire())
                    + " permission on "
                    + trigger.repository()
                    + "; the policy requires "
                    + rules.minPermission().wire()
                    + " or more",
                "A maintainer with "
                    + rules.minPermission().wire()
                    + " permission can trigger the pipeline (for a pull request: comment"
                    + " /ok-to-test)."));
      }
    }
    return out;
  }

  private static Optional<Reason> fork(
      TriggerPolicy.SenderRules rules, TriggerEvent trigger, Approvals approvals) {
    String pr = trigger.repository() + "#" + trigger.pullRequest().number();
    if (rules.forkPullRequests() == TriggerPolicy.ForkRule.DENY) {
      return Optional.of(
          DecisionReason.FORK_PULL_REQUEST_DENIED.reason(
              "Pull request "
                  + pr
                  + " comes from a fork (or its origin is not known); the policy"
                  + " runs no fork pull requests"));
    }
    if (trigger.approval() != null) {
      return Approvals.binds(trigger) ? Optional.empty() : Optional.of(notBound(pr, trigger));
    }
    Optional<String> approved = approvals.approvedSha(trigger);
    if (approved.isEmpty()) {
      return Optional.of(
          DecisionReason.FORK_NOT_APPROVED.reason(
              "Pull request "
                  + pr
                  + " comes from a fork and no /ok-to-test covers head "
                  + trigger.headSha()));
    }
    if (!approved.get().equals(trigger.headSha())) {
      return Optional.of(
          DecisionReason.APPROVAL_STALE.reason(
              "Pull request "
                  + pr
                  + " was approved at "
                  + approved.get()
                  + " but its head is now "
                  + trigger.headSha()));
    }
    return Optional.empty();
  }

  /** The refusal of an {@code /ok-to-test} the gateway could not bind to the reviewed commit. */
  private static Reason notBound(String pr, TriggerEvent trigger) {
    TriggerEvent.Approval a = trigger.approval();
    String named = a.requestedSha() == null ? "/ok-to-test" : "/ok-to-test " + a.requestedSha();
    String why;
    if (a.refused() == null || TriggerEvent.Approval.HEAD_NOT_REQUESTED_SHA.equals(a.refused())) {
      why = "it names a commit that is not the head " + trigger.headSha();
    } else if (TriggerEvent.Approval.HEAD_UPDATED_AFTER_COMMENT.equals(a.refused())) {
      why =
          "the pull request changed after the comment was written, so its head "
              + trigger.headSha()
              + " may not be the commit that was reviewed";
    } else {
      why = "the gateway could not tell which commit was reviewed (" + a.refused() + ")";
    }
    return DecisionReason.APPROVAL_NOT_BOUND.reason(
        "The "
            + named
            + " comment "
            + a.commentId()
            + " on pull request "
            + pr
            + " approves nothing: "
            + why,
        "Review the pull request's head commit and comment /ok-to-test "
            + (trigger.headSha() == null
                ? "<sha>"
                : trigger.headSha().substring(0, Math.min(12, trigger.headSha().length())))
            + " naming it (or /ok-to-test <sha> for the commit you reviewed); nothing ran.");
  }

  private static int rank(TriggerEvent.Permission p) {
    return TriggerEvent.Permission.values().length - p.ordinal();
  }
}
