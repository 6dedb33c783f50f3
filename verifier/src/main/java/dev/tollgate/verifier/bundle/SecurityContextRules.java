package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.report.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The restricted Pod Security Standard for one container's {@code securityContext}. A task has no
 * pod level (the pod security context comes from the run's pod template, which the bundle does not
 * control), so every rule must hold at the container level: on the step (with the stepTemplate
 * merged under it) or on the sidecar.
 */
final class SecurityContextRules {
  static final String CHECK = "step.securityContext";
  private static final Set<String> SECCOMP_TYPES = Set.of("RuntimeDefault", "Localhost");
  private static final Set<String> ADDABLE_CAPABILITIES = Set.of("NET_BIND_SERVICE");
  private static final Set<String> SELINUX_TYPES =
      Set.of("container_t", "container_init_t", "container_kvm_t", "container_engine_t");

  private final StepPolicy policy;

  SecurityContextRules(StepPolicy policy) {
    this.policy = policy;
  }

  /** The failures for {@code sc}; empty when every rule holds. */
  List<Check> failures(String container, JsonNode sc) {
    List<Check> failures = new ArrayList<>();
    List<String> unknown =
        KnownFields.unknown(sc, KnownFields.SECURITY_CONTEXT, "securityContext.");
    unknown.addAll(
        KnownFields.unknown(
            sc.path("capabilities"), KnownFields.CAPABILITIES, "securityContext.capabilities."));
    unknown.addAll(
        KnownFields.unknown(
            sc.path("seccompProfile"), KnownFields.PROFILE, "securityContext.seccompProfile."));
    if (!unknown.isEmpty()) {
      failures.add(fail(container, BundleReason.FIELD_UNKNOWN, "unknown fields " + unknown));
    }
    if (policy.requireNotPrivileged() && !isFalse(sc.path("privileged"))) {
      failures.add(
          fail(container, BundleReason.PRIVILEGED, "privileged is " + show(sc, "privileged")));
    }
    if (policy.requireNoPrivilegeEscalation() && !isFalse(sc.path("allowPrivilegeEscalation"))) {
      failures.add(
          fail(
              container,
              BundleReason.PRIVILEGE_ESCALATION,
              "allowPrivilegeEscalation is " + show(sc, "allowPrivilegeEscalation")));
    }
    JsonNode user = sc.path("runAsUser");
    if (policy.requireRunAsNonRoot()
        && (!isTrue(sc.path("runAsNonRoot"))
            || (!user.isMissingNode() && !(user.canConvertToLong() && user.asLong() > 0)))) {
      failures.add(
          fail(
              container,
              BundleReason.RUN_AS_ROOT,
              "runAsNonRoot is "
                  + show(sc, "runAsNonRoot")
                  + ", runAsUser "
                  + show(sc, "runAsUser")));
    }
    if (policy.requireDropAllCapabilities()) {
      capabilities(container, sc.path("capabilities"), failures);
    }
    if (policy.requireSeccompProfile()) {
      JsonNode seccomp = sc.path("seccompProfile");
      String type = seccomp.path("type").isTextual() ? seccomp.path("type").asText() : "";
      if (!SECCOMP_TYPES.contains(type)
          || ("Localhost".equals(type) && !seccomp.path("localhostProfile").isTextual())) {
        failures.add(
            fail(
                container,
                BundleReason.SECCOMP_PROFILE,
                "seccompProfile is " + show(sc, "seccompProfile")));
      }
    }
    unsafeOptions(container, sc, failures);
    return failures;
  }

  private static void capabilities(String container, JsonNode caps, List<Check> failures) {
    boolean dropsAll = false;
    for (JsonNode d : caps.path("drop")) {
      dropsAll |= d.isTextual() && "ALL".equals(d.asText());
    }
    if (!dropsAll) {
      failures.add(
          fail(
              container,
              BundleReason.CAPABILITIES_NOT_DROPPED,
              "capabilities.drop does not include ALL"));
    }
    JsonNode add = caps.path("add");
    List<String> added = new ArrayList<>();
    if (!add.isMissingNode() && !add.isNull() && !add.isArray()) {
      added.add(add.toString());
    }
    for (JsonNode a : add) {
      if (!a.isTextual() || !ADDABLE_CAPABILITIES.contains(a.asText())) {
        added.add(a.toString());
      }
    }
    if (!added.isEmpty()) {
      failures.add(
          fail(container, BundleReason.CAPABILITY_ADDED, "capabilities.add includes " + added));
    }
  }

  /** Baseline rules no policy relaxes: these options only ever weaken isolation. */
  private static void unsafeOptions(String container, JsonNode sc, List<Check> failures) {
    List<String> unsafe = new ArrayList<>();
    JsonNode procMount = sc.path("procMount");
    if (!procMount.isMissingNode() && !"Default".equals(procMount.asText())) {
      unsafe.add("procMount " + procMount);
    }
    JsonNode hostProcess = sc.path("windowsOptions").path("hostProcess");
    if (!hostProcess.isMissingNode() && !isFalse(hostProcess)) {
      unsafe.add("windowsOptions.hostProcess " + hostProcess);
    }
    JsonNode se = sc.path("seLinuxOptions");
    if (se.has("user") || se.has("role")) {
      unsafe.add("seLinuxOptions user/role set");
    }
    if (se.has("type") && !SELINUX_TYPES.contains(se.path("type").asText())) {
      unsafe.add("seLinuxOptions.type " + se.get("type"));
    }
    JsonNode apparmor = sc.path("appArmorProfile").path("type");
    if (!apparmor.isMissingNode() && !SECCOMP_TYPES.contains(apparmor.asText())) {
      unsafe.add("appArmorProfile.type " + apparmor);
    }
    if (!unsafe.isEmpty()) {
      failures.add(
          fail(container, BundleReason.SECURITY_CONTEXT_UNSAFE, String.join(", ", unsafe)));
    }
  }

  static Check fail(String container, BundleReason reason, String message) {
    return Check.failed(CHECK, container, reason.name(), message, reason.remediation(), Map.of());
  }

  private static boolean isFalse(JsonNode n) {
    return n.isBoolean() && !n.asBoolean();
  }

  private static boolean isTrue(JsonNode n) {
    return n.isBoolean() && n.asBoolean();
  }

  private static String show(JsonNode sc, String field) {
    return sc.has(field) ? sc.get(field).toString() : "unset";
  }
}
