package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.Manifest;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.report.Check;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inspects the steps, sidecars and volumes of one task spec against a {@link StepPolicy}. The
 * task's {@code stepTemplate} is merged under every step as Tekton does (the step wins, objects
 * merged field by field). It is not applied to sidecars: Tekton does not apply it to them, and
 * assuming it would admit a sidecar that runs without the template's restrictions.
 */
public final class TaskInspector {
  private final OciSource images;
  private final StepPolicy policy;

  public TaskInspector(OciSource images, StepPolicy policy) {
    this.images = images;
    this.policy = policy;
  }

  /** What inspecting one task found: a check per rule and container, and the pinned images. */
  public record Inspection(List<Check> checks, List<PinnedImage> images) {
    public Inspection {
      checks = List.copyOf(checks);
      images = List.copyOf(images);
    }
  }

  /**
   * @param task how the report names the task, e.g. {@code pipeline/release task/build}
   * @param spec the task's {@code spec} (or a pipeline task's embedded {@code taskSpec})
   */
  public Inspection inspect(String task, JsonNode spec) {
    List<Check> checks = new ArrayList<>();
    List<PinnedImage> pinned = new ArrayList<>();
    JsonNode template = spec.path("stepTemplate");
    JsonNode steps = spec.path("steps");
    if (!steps.isArray() || steps.isEmpty()) {
      checks.add(
          Check.failed(
              "task.steps",
              task,
              BundleReason.RESOURCE_MALFORMED.name(),
              "task has no steps",
              BundleReason.RESOURCE_MALFORMED.remediation(),
              Map.of()));
    }
    int i = 0;
    for (JsonNode step : steps) {
      String container = task + " step/" + step.path("name").asText("#" + i);
      i++;
      if (step.has("ref")) {
        checks.add(
            Check.failed(
                "step.ref",
                container,
                BundleReason.STEP_NOT_INSPECTABLE.name(),
                "the step references a StepAction, which this verifier does not inspect yet",
                BundleReason.STEP_NOT_INSPECTABLE.remediation(),
                Map.of()));
        continue;
      }
      JsonNode effective = template.isObject() ? merge(template, step) : step;
      inspectContainer(container, effective, checks, pinned);
    }
    i = 0;
    for (JsonNode sidecar : spec.path("sidecars")) {
      String container = task + " sidecar/" + sidecar.path("name").asText("#" + i);
      i++;
      inspectContainer(container, sidecar, checks, pinned);
    }
    if (policy.forbidHostPath()) {
      List<String> hostPaths = new ArrayList<>();
      for (JsonNode v : spec.path("volumes")) {
        if (v.has("hostPath")) {
          hostPaths.add(
              v.path("name").asText("?") + "=" + v.path("hostPath").path("path").asText());
        }
      }
      if (hostPaths.isEmpty()) {
        checks.add(Check.passed("task.volumes", task, "no hostPath volumes", Map.of()));
      } else {
        checks.add(
            Check.failed(
                "task.volumes",
                task,
                BundleReason.HOST_PATH_VOLUME.name(),
                "task mounts host paths: " + String.join(", ", hostPaths),
                BundleReason.HOST_PATH_VOLUME.remediation(),
                Map.of("hostPaths", String.join(",", hostPaths))));
      }
    }
    return new Inspection(checks, pinned);
  }

  private void inspectContainer(
      String container, JsonNode c, List<Check> checks, List<PinnedImage> pinned) {
    checkImage(container, c.path("image").asText(""), checks, pinned);
    if (!policy.checksSecurityContext()) {
      return;
    }
    JsonNode sc = c.path("securityContext");
    if (!sc.isObject()) {
      checks.add(
          Check.failed(
              "step.securityContext",
              container,
              BundleReason.SECURITY_CONTEXT_MISSING.name(),
              "no securityContext (nor one from the stepTemplate)",
              BundleReason.SECURITY_CONTEXT_MISSING.remediation(),
              Map.of()));
      return;
    }
    List<Check> failures = new ArrayList<>();
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
    if (policy.requireRunAsNonRoot()
        && (!sc.path("runAsNonRoot").isBoolean()
            || !sc.path("runAsNonRoot").asBoolean()
            || (sc.path("runAsUser").canConvertToLong() && sc.path("runAsUser").asLong() == 0))) {
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
      boolean dropsAll = false;
      for (JsonNode d : sc.path("capabilities").path("drop")) {
        dropsAll |= "ALL".equals(d.asText());
      }
      if (!dropsAll) {
        failures.add(
            fail(
                container,
                BundleReason.CAPABILITIES_NOT_DROPPED,
                "capabilities.drop does not include ALL"));
      }
    }
    if (failures.isEmpty()) {
      checks.add(
          Check.passed(
              "step.securityContext",
              container,
              "not privileged, no privilege escalation, non-root, all capabilities dropped",
              Map.of()));
    } else {
      checks.addAll(failures);
    }
  }

  private void checkImage(
      String container, String image, List<Check> checks, List<PinnedImage> pinned) {
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("image", image);
    if (image.isEmpty() || image.contains("$(")) {
      checks.add(
          Check.failed(
              "step.image",
              container,
              BundleReason.IMAGE_UNRESOLVABLE.name(),
              image.isEmpty()
                  ? "no image"
                  : "image '" + image + "' is computed from parameters and cannot be pinned",
              BundleReason.IMAGE_UNRESOLVABLE.remediation(),
              ev));
      return;
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (OciException e) {
      checks.add(
          Check.failed(
              "step.image",
              container,
              BundleReason.IMAGE_UNRESOLVABLE.name(),
              e.getMessage(),
              BundleReason.IMAGE_UNRESOLVABLE.remediation(),
              ev));
      return;
    }
    if (ref.digest().isPresent()) {
      pinned.add(new PinnedImage(container, image, ref, false));
      ev.put("pinned", ref.toString());
      checks.add(Check.passed("step.image", container, "image pinned by digest", ev));
      return;
    }
    if (policy.requireDigest() && !policy.resolveTags()) {
      checks.add(
          Check.failed(
              "step.image",
              container,
              BundleReason.IMAGE_NOT_PINNED.name(),
              "image '" + image + "' is referenced by tag, not by digest",
              BundleReason.IMAGE_NOT_PINNED.remediation(),
              ev));
      return;
    }
    Manifest m;
    try {
      m = images.resolve(ref);
    } catch (OciException e) {
      ev.put("ociReason", e.reason().name());
      if (e.reason().isTransient()) {
        checks.add(
            Check.error(
                "step.image",
                container,
                e.reason().name(),
                "resolving '" + image + "' failed: " + e.getMessage(),
                e.reason().remediation(),
                ev));
      } else {
        checks.add(
            Check.failed(
                "step.image",
                container,
                BundleReason.IMAGE_UNRESOLVABLE.name(),
                "tag '" + image + "' cannot be resolved to a digest: " + e.getMessage(),
                BundleReason.IMAGE_UNRESOLVABLE.remediation(),
                ev));
      }
      return;
    }
    ImageReference p = ref.pinned(m.digest());
    pinned.add(new PinnedImage(container, image, p, true));
    ev.put("pinned", p.toString());
    checks.add(
        Check.passed("step.image", container, "tag resolved once and pinned to " + m.digest(), ev));
  }

  private static Check fail(String container, BundleReason reason, String message) {
    return Check.failed(
        "step.securityContext", container, reason.name(), message, reason.remediation(), Map.of());
  }

  private static boolean isFalse(JsonNode n) {
    return n.isBoolean() && !n.asBoolean();
  }

  private static String show(JsonNode sc, String field) {
    return sc.has(field) ? sc.get(field).toString() : "unset";
  }

  /** {@code overlay} over {@code base}: objects merged recursively, everything else replaced. */
  static JsonNode merge(JsonNode base, JsonNode overlay) {
    if (!base.isObject() || !overlay.isObject()) {
      return overlay.isMissingNode() || overlay.isNull() ? base : overlay;
    }
    ObjectNode out = ((ObjectNode) base).deepCopy();
    for (Map.Entry<String, JsonNode> e : overlay.properties()) {
      JsonNode existing = out.get(e.getKey());
      out.set(e.getKey(), existing == null ? e.getValue() : merge(existing, e.getValue()));
    }
    return out;
  }
}
