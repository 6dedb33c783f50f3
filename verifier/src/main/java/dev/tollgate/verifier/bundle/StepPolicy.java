package dev.tollgate.verifier.bundle;

/**
 * What every step and sidecar must satisfy, besides what is never relaxed: images pinned by digest
 * (a tag is pulled again when the pod starts, so it is always a denial), no StepActions, no fields
 * Tekton would ignore, only the volume types of the restricted Pod Security Standard. Each rule
 * here can be relaxed on its own; {@link #strict()} (every rule on) is the default.
 *
 * @param requireNotPrivileged {@code securityContext.privileged: false}
 * @param requireNoPrivilegeEscalation {@code securityContext.allowPrivilegeEscalation: false}
 * @param requireRunAsNonRoot {@code securityContext.runAsNonRoot: true}
 * @param requireDropAllCapabilities {@code securityContext.capabilities.drop: [ALL]} and nothing
 *     added but {@code NET_BIND_SERVICE}
 * @param requireSeccompProfile {@code securityContext.seccompProfile.type} RuntimeDefault or
 *     Localhost
 * @param forbidHostPath no {@code hostPath} volumes
 */
public record StepPolicy(
    boolean requireNotPrivileged,
    boolean requireNoPrivilegeEscalation,
    boolean requireRunAsNonRoot,
    boolean requireDropAllCapabilities,
    boolean requireSeccompProfile,
    boolean forbidHostPath) {

  /** Every rule on: the restricted Pod Security Standard. */
  public static StepPolicy strict() {
    return new StepPolicy(true, true, true, true, true, true);
  }

  /** Whether any securityContext rule is on. */
  boolean checksSecurityContext() {
    return requireNotPrivileged
        || requireNoPrivilegeEscalation
        || requireRunAsNonRoot
        || requireDropAllCapabilities
        || requireSeccompProfile;
  }
}
