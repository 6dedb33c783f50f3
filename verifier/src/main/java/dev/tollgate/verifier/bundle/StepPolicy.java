package dev.tollgate.verifier.bundle;

/**
 * What every step and sidecar must satisfy. Each rule can be relaxed on its own; {@link #strict()}
 * (every rule on, tags resolved and pinned) is the default.
 *
 * @param requireDigest images must be pinned by digest (or resolved and pinned, see resolveTags)
 * @param resolveTags a tag is resolved once and the step reported with the pinned digest; when
 *     false a tag is a denial
 * @param requireNotPrivileged {@code securityContext.privileged: false}
 * @param requireNoPrivilegeEscalation {@code securityContext.allowPrivilegeEscalation: false}
 * @param requireRunAsNonRoot {@code securityContext.runAsNonRoot: true}
 * @param requireDropAllCapabilities {@code securityContext.capabilities.drop: [ALL]}
 * @param forbidHostPath no {@code hostPath} volumes
 */
public record StepPolicy(
    boolean requireDigest,
    boolean resolveTags,
    boolean requireNotPrivileged,
    boolean requireNoPrivilegeEscalation,
    boolean requireRunAsNonRoot,
    boolean requireDropAllCapabilities,
    boolean forbidHostPath) {

  /** Every rule on; tags are resolved and pinned. */
  public static StepPolicy strict() {
    return new StepPolicy(true, true, true, true, true, true, true);
  }

  /** Whether any securityContext rule is on. */
  boolean checksSecurityContext() {
    return requireNotPrivileged
        || requireNoPrivilegeEscalation
        || requireRunAsNonRoot
        || requireDropAllCapabilities;
  }
}
