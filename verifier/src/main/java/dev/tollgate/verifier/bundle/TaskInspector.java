package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.report.Check;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inspects the steps, sidecars and volumes of one task spec against a {@link StepPolicy}. The
 * task's {@code stepTemplate} is merged under every step as Tekton does (the step wins, objects
 * merged field by field). It is not applied to sidecars: assuming it would admit a sidecar that
 * runs without the template's restrictions. Images must be pinned by digest: a tag is never
 * resolved for the check, because the kubelet resolves it again when the pod starts.
 */
public final class TaskInspector {
  private final StepPolicy policy;
  private final SecurityContextRules securityContext;

  public TaskInspector(StepPolicy policy) {
    this.policy = policy;
    this.securityContext = new SecurityContextRules(policy);
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
    List<String> unknown = KnownFields.unknown(spec, KnownFields.EMBEDDED_TASK_SPEC, "spec.");
    unknown.addAll(KnownFields.unknown(template, KnownFields.STEP_TEMPLATE, "stepTemplate."));
    unknownFields("task.fields", task, unknown, checks);
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
      unknownFields(
          "step.fields", container, KnownFields.unknown(step, KnownFields.STEP, ""), checks);
      if (step.has("ref")) {
        checks.add(
            Check.failed(
                "step.ref",
                container,
                BundleReason.STEP_NOT_INSPECTABLE.name(),
                "the step references a StepAction, which the verifier has neither pinned nor"
                    + " inspected",
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
      unknownFields(
          "step.fields", container, KnownFields.unknown(sidecar, KnownFields.SIDECAR, ""), checks);
      inspectContainer(container, sidecar, checks, pinned);
    }
    volumes(task, spec.path("volumes"), checks);
    return new Inspection(checks, pinned);
  }

  private static void unknownFields(
      String name, String subject, List<String> unknown, List<Check> checks) {
    if (unknown.isEmpty()) {
      return;
    }
    checks.add(
        Check.failed(
            name,
            subject,
            BundleReason.FIELD_UNKNOWN.name(),
            "fields Tekton does not know (and would ignore): " + String.join(", ", unknown),
            BundleReason.FIELD_UNKNOWN.remediation(),
            Map.of("fields", String.join(",", unknown))));
  }

  private void volumes(String task, JsonNode volumes, List<Check> checks) {
    List<String> hostPaths = new ArrayList<>();
    List<String> other = new ArrayList<>();
    for (JsonNode v : volumes) {
      Iterator<String> it = v.fieldNames();
      while (it.hasNext()) {
        String source = it.next();
        if ("name".equals(source) || KnownFields.RESTRICTED_VOLUME_SOURCES.contains(source)) {
          continue;
        }
        if ("hostPath".equals(source)) {
          hostPaths.add(
              v.path("name").asText("?") + "=" + v.path("hostPath").path("path").asText());
        } else {
          other.add(v.path("name").asText("?") + "=" + source);
        }
      }
    }
    if (policy.forbidHostPath() && !hostPaths.isEmpty()) {
      checks.add(
          Check.failed(
              "task.volumes",
              task,
              BundleReason.HOST_PATH_VOLUME.name(),
              "task mounts host paths: " + String.join(", ", hostPaths),
              BundleReason.HOST_PATH_VOLUME.remediation(),
              Map.of("hostPaths", String.join(",", hostPaths))));
    }
    if (!other.isEmpty()) {
      checks.add(
          Check.failed(
              "task.volumes",
              task,
              BundleReason.VOLUME_TYPE.name(),
              "task has volumes of types the restricted Pod Security Standard does not allow: "
                  + String.join(", ", other),
              BundleReason.VOLUME_TYPE.remediation(),
              Map.of("volumes", String.join(",", other))));
    }
    if (other.isEmpty() && (hostPaths.isEmpty() || !policy.forbidHostPath())) {
      checks.add(Check.passed("task.volumes", task, "only allowed volume types", Map.of()));
    }
  }

  private void inspectContainer(
      String container, JsonNode c, List<Check> checks, List<PinnedImage> pinned) {
    checkImage(container, c.path("image"), checks, pinned);
    JsonNode sc = c.path("securityContext");
    if (!policy.checksSecurityContext() && !sc.isObject()) {
      return;
    }
    if (!sc.isObject()) {
      checks.add(
          SecurityContextRules.fail(
              container,
              BundleReason.SECURITY_CONTEXT_MISSING,
              "no securityContext (nor one from the stepTemplate)"));
      return;
    }
    List<Check> failures = securityContext.failures(container, sc);
    if (failures.isEmpty()) {
      checks.add(
          Check.passed(
              SecurityContextRules.CHECK,
              container,
              "not privileged, no privilege escalation, non-root, all capabilities dropped,"
                  + " seccomp profile set",
              Map.of()));
    } else {
      checks.addAll(failures);
    }
  }

  private static void checkImage(
      String container, JsonNode written, List<Check> checks, List<PinnedImage> pinned) {
    String image = written.isTextual() ? written.asText() : "";
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("image", image);
    if (image.isEmpty() || image.contains("$(")) {
      checks.add(
          imageFailed(
              container,
              BundleReason.IMAGE_UNRESOLVABLE,
              image.isEmpty()
                  ? "no image"
                  : "image '" + image + "' is computed from parameters and cannot be pinned",
              ev));
      return;
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (OciException e) {
      checks.add(imageFailed(container, BundleReason.IMAGE_UNRESOLVABLE, e.getMessage(), ev));
      return;
    }
    if (ref.digest().isEmpty()) {
      checks.add(
          imageFailed(
              container,
              BundleReason.IMAGE_NOT_PINNED,
              "image '" + image + "' is referenced by tag, not by digest",
              ev));
      return;
    }
    pinned.add(new PinnedImage(container, image, ref));
    ev.put("pinned", ref.toString());
    checks.add(Check.passed("step.image", container, "image pinned by digest", ev));
  }

  private static Check imageFailed(
      String container, BundleReason reason, String message, Map<String, String> ev) {
    return Check.failed("step.image", container, reason.name(), message, reason.remediation(), ev);
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
