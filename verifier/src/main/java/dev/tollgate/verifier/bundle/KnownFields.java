package dev.tollgate.verifier.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The fields Tekton v1 and Kubernetes know at the places a task's behaviour is decided (tektoncd
 * pipeline {@code pkg/apis/pipeline/v1} TaskSpec, Step, StepTemplate, Sidecar; core/v1
 * SecurityContext). Tekton's decoder ignores any other field, and matches names case-sensitively,
 * so a misspelt or invented field is something the verifier would read and Tekton would not (or the
 * reverse): it is refused.
 */
final class KnownFields {
  static final Set<String> TASK_SPEC =
      Set.of(
          "params",
          "displayName",
          "description",
          "steps",
          "volumes",
          "stepTemplate",
          "sidecars",
          "workspaces",
          "results");

  /** Embedded task specs also carry metadata. */
  static final Set<String> EMBEDDED_TASK_SPEC = union(TASK_SPEC, Set.of("metadata"));

  /** tektoncd pipeline v1 PipelineTask and TaskRef. */
  static final Set<String> PIPELINE_TASK =
      Set.of(
          "name",
          "displayName",
          "description",
          "taskRef",
          "taskSpec",
          "when",
          "retries",
          "runAfter",
          "params",
          "matrix",
          "workspaces",
          "timeout",
          "pipelineRef",
          "pipelineSpec",
          "onError");

  static final Set<String> TASK_REF = Set.of("name", "kind", "apiVersion", "resolver", "params");

  static final Set<String> STEP_TEMPLATE =
      Set.of(
          "image",
          "command",
          "args",
          "workingDir",
          "envFrom",
          "env",
          "computeResources",
          "volumeMounts",
          "volumeDevices",
          "imagePullPolicy",
          "securityContext");
  static final Set<String> STEP =
      union(
          STEP_TEMPLATE,
          Set.of(
              "name",
              "script",
              "timeout",
              "workspaces",
              "onError",
              "stdoutConfig",
              "stderrConfig",
              "ref",
              "params",
              "results",
              "when",
              "displayName"));
  static final Set<String> SIDECAR =
      union(
          STEP_TEMPLATE,
          Set.of(
              "name",
              "ports",
              "livenessProbe",
              "readinessProbe",
              "startupProbe",
              "lifecycle",
              "terminationMessagePath",
              "terminationMessagePolicy",
              "stdin",
              "stdinOnce",
              "tty",
              "script",
              "workspaces",
              "restartPolicy"));
  static final Set<String> SECURITY_CONTEXT =
      Set.of(
          "capabilities",
          "privileged",
          "seLinuxOptions",
          "windowsOptions",
          "runAsUser",
          "runAsGroup",
          "runAsNonRoot",
          "readOnlyRootFilesystem",
          "allowPrivilegeEscalation",
          "procMount",
          "seccompProfile",
          "appArmorProfile");
  static final Set<String> CAPABILITIES = Set.of("add", "drop");
  static final Set<String> PROFILE = Set.of("type", "localhostProfile");

  /** Volume sources the restricted Pod Security Standard allows. */
  static final Set<String> RESTRICTED_VOLUME_SOURCES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  private KnownFields() {}

  /** The fields of {@code node} not in {@code known}, prefixed with {@code where}. */
  static List<String> unknown(JsonNode node, Set<String> known, String where) {
    List<String> out = new ArrayList<>();
    if (!node.isObject()) {
      return out;
    }
    Iterator<String> it = node.fieldNames();
    while (it.hasNext()) {
      String f = it.next();
      if (!known.contains(f)) {
        out.add(where + f);
      }
    }
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    java.util.HashSet<String> s = new java.util.HashSet<>(a);
    s.addAll(b);
    return Set.copyOf(s);
  }
}
