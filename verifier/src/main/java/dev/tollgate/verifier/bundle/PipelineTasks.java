package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.report.Check;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds every task a pipeline runs ({@code spec.tasks} and {@code spec.finally}) and how it is
 * referenced: embedded ({@code taskSpec}), by bare name ({@code taskRef.name}: at run time Tekton
 * looks that name up in the run's namespace, not in the bundle), or through the bundles resolver
 * ({@code taskRef.resolver: bundles} with params bundle, name, kind). Any other reference,
 * including the v1beta1 {@code taskRef.bundle} that Tekton v1 ignores, cannot be verified and is
 * reported as such. A bundle referenced by tag is denied: Tekton resolves the tag again when the
 * run starts, so the task checked would not be the task that runs.
 */
public final class PipelineTasks {
  private PipelineTasks() {}

  /** How a pipeline task gets its task. */
  public enum Source {
    EMBEDDED,
    /** {@code taskRef.name} alone: a Task from the cluster namespace at run time. */
    BY_NAME,
    BUNDLE_RESOLVER,
    UNSUPPORTED
  }

  /**
   * One pipeline task.
   *
   * @param spec the embedded task spec, for {@link Source#EMBEDDED}
   * @param bundle the referenced bundle, for {@link Source#BUNDLE_RESOLVER}
   * @param unsupported why the reference cannot be verified, for {@link Source#UNSUPPORTED}
   */
  public record TaskUse(
      String pipelineTask,
      Source source,
      String taskName,
      String kind,
      Optional<JsonNode> spec,
      Optional<String> bundle,
      Optional<String> unsupported) {}

  /**
   * The denial of a task bundle referenced by tag, if it is: checked before anything is fetched, so
   * a tag is never resolved for the check.
   */
  public static Optional<Check> unpinnedBundle(String task, ImageReference bundle) {
    if (bundle.digest().isPresent()) {
      return Optional.empty();
    }
    return Optional.of(
        Check.failed(
            "task.bundle.resolve",
            task,
            BundleReason.TASK_BUNDLE_NOT_PINNED.name(),
            "task bundle '"
                + bundle
                + "' is referenced by tag; Tekton resolves it again when the run starts",
            BundleReason.TASK_BUNDLE_NOT_PINNED.remediation(),
            Map.of("bundle", bundle.toString())));
  }

  /** The tasks of a pipeline's {@code spec}, in order. */
  public static List<TaskUse> of(JsonNode pipelineSpec) {
    List<TaskUse> uses = new ArrayList<>();
    for (String section : List.of("tasks", "finally")) {
      for (JsonNode t : pipelineSpec.path(section)) {
        uses.add(use(t));
      }
    }
    return uses;
  }

  private static TaskUse use(JsonNode t) {
    String name = t.path("name").asText("?");
    List<String> unknown = KnownFields.unknown(t, KnownFields.PIPELINE_TASK, "");
    unknown.addAll(KnownFields.unknown(t.path("taskRef"), KnownFields.TASK_REF, "taskRef."));
    unknown.remove("taskRef.bundle"); // has a clearer message below
    if (!unknown.isEmpty()) {
      return unsupported(name, "fields Tekton v1 does not know (and would ignore): " + unknown);
    }
    if (t.path("taskSpec").isObject()) {
      JsonNode spec = t.get("taskSpec");
      if (spec.has("apiVersion") || spec.has("kind")) {
        return unsupported(name, "embedded custom task (taskSpec with apiVersion/kind)");
      }
      return new TaskUse(
          name,
          Source.EMBEDDED,
          name,
          "task",
          Optional.of(spec),
          Optional.empty(),
          Optional.empty());
    }
    JsonNode ref = t.path("taskRef");
    if (!ref.isObject()) {
      return unsupported(name, "neither taskSpec nor taskRef");
    }
    if (ref.has("bundle")) {
      // Tekton v1 has no taskRef.bundle: it ignores the field and runs the Task named
      // taskRef.name from the run's namespace, so the verified bundle would not be what runs.
      return unsupported(name, "taskRef.bundle (removed in Tekton v1; use resolver: bundles)");
    }
    if (ref.has("resolver")) {
      String resolver = ref.path("resolver").asText();
      if (!"bundles".equals(resolver)) {
        return unsupported(name, "resolver '" + resolver + "'");
      }
      String bundle = null;
      String taskName = null;
      String kind = "task";
      Set<String> seen = new HashSet<>();
      for (JsonNode p : ref.path("params")) {
        String value = p.path("value").isTextual() ? p.path("value").asText() : null;
        if (!seen.add(p.path("name").asText())) {
          // which of two "bundle" params a resolver honours is its choice, not ours to guess
          return unsupported(
              name, "bundles resolver param '" + p.path("name").asText() + "' twice");
        }
        switch (p.path("name").asText()) {
          case "bundle":
            bundle = value;
            break;
          case "name":
            taskName = value;
            break;
          case "kind":
            kind = value;
            break;
          default:
            break;
        }
      }
      if (bundle == null || taskName == null || kind == null) {
        return unsupported(name, "bundles resolver without string params bundle and name");
      }
      return new TaskUse(
          name,
          Source.BUNDLE_RESOLVER,
          taskName,
          kind,
          Optional.empty(),
          Optional.of(bundle),
          Optional.empty());
    }
    if (ref.has("apiVersion") || (ref.has("kind") && !"Task".equals(ref.path("kind").asText()))) {
      return unsupported(name, "custom task or cluster task reference");
    }
    if (!ref.path("name").isTextual()) {
      return unsupported(name, "taskRef without name");
    }
    return new TaskUse(
        name,
        Source.BY_NAME,
        ref.get("name").asText(),
        "task",
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  private static TaskUse unsupported(String name, String why) {
    return new TaskUse(
        name,
        Source.UNSUPPORTED,
        name,
        "task",
        Optional.empty(),
        Optional.empty(),
        Optional.of(why));
  }
}
