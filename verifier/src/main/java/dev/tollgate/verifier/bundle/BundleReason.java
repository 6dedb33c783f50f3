package dev.tollgate.verifier.bundle;

/**
 * Stable codes for what is wrong with a Tekton bundle or the tasks it runs, each with what a person
 * should do about it. Scripts match on the name; never rename one.
 */
public enum BundleReason {
  TOO_MANY_LAYERS(
      "A Tekton bundle holds at most 20 resources (Tekton's bundle contract); split it into"
          + " several bundles."),
  ZSTD_LAYER(
      "Tekton cannot read zstd-compressed bundle layers; push the bundle with tkn bundle push,"
          + " which writes uncompressed or gzip layers."),
  ANNOTATION_MISSING(
      "Every bundle layer carries dev.tekton.image.name, .kind and .apiVersion; push the bundle"
          + " with tkn bundle push."),
  RESOURCE_MALFORMED(
      "The layer must hold exactly one Tekton resource as YAML or JSON, as a single-file tar or"
          + " raw bytes; rebuild the bundle with tkn bundle push."),
  RESOURCE_MISMATCH(
      "The layer annotations must name the resource inside it (kind and metadata.name); rebuild"
          + " the bundle with tkn bundle push."),
  DUPLICATE_RESOURCE("A bundle holds one resource per kind and name; remove the duplicate."),
  RESOURCE_NOT_FOUND(
      "Reference a pipeline or task that is in the bundle; list it with tkn bundle list."),
  UNSUPPORTED_REFERENCE(
      "Embed the task (taskSpec) or reference it through 'resolver: bundles' with params"
          + " bundle, name and kind (for a task in the same bundle, that bundle's reference);"
          + " bare task names, other resolvers and cluster tasks cannot be verified."),
  TASK_BUNDLE_UNTRUSTED(
      "Sign the referenced task bundle by digest with a key or identity the trust"
          + " configuration names."),
  IMAGE_NOT_PINNED(
      "Reference the image by digest (image: repo@sha256:...): the kubelet pulls a tag again"
          + " when the pod starts, so a tag runs whatever was pushed last, not what was checked."),
  TASK_BUNDLE_NOT_PINNED(
      "Reference the task bundle by digest (params bundle: repo@sha256:...): Tekton resolves a"
          + " tag again when the run starts, so a tag runs whatever was pushed last."),
  YAML_NOT_AS_TEKTON_READS(
      "Write the resource as plain YAML or JSON: no anchors, aliases, merge keys (<<), tags,"
          + " duplicate keys or %directives, and quote scalars YAML 1.1 reads as booleans or"
          + " numbers (yes, no, on, off, y, n, 0777, 0x1F, 1_000, 1e3, ~). Tekton (Go, YAML 1.1)"
          + " would read such a document differently from the verifier."),
  LAYER_ARCHIVE_UNSUPPORTED(
      "Push the bundle with tkn bundle push: each layer a plain ustar archive of exactly one"
          + " regular file (no PAX or GNU extended headers, links or directories), or the raw"
          + " document."),
  FIELD_UNKNOWN(
      "Remove the field, or fix its spelling: Tekton ignores fields it does not know, so"
          + " anything under one would pass unseen; the verifier refuses them in task specs,"
          + " steps, sidecars, stepTemplate, securityContext and volumes."),
  SECCOMP_PROFILE(
      "Set securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a"
          + " localhostProfile) on every step and sidecar, or in the stepTemplate."),
  CAPABILITY_ADDED(
      "Add no capability other than NET_BIND_SERVICE (restricted Pod Security Standard)."),
  SECURITY_CONTEXT_UNSAFE(
      "Leave procMount Default, windowsOptions.hostProcess unset, seLinuxOptions user and role"
          + " unset, and appArmorProfile RuntimeDefault or Localhost (Pod Security Standards)."),
  VOLUME_TYPE(
      "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim,"
          + " projected or secret volumes (restricted Pod Security Standard)."),
  IMAGE_UNRESOLVABLE(
      "The image reference cannot be resolved to a digest: push the image, fix the reference, or"
          + " do not compute the image from parameters."),
  SECURITY_CONTEXT_MISSING(
      "Give every step and sidecar a securityContext (or the task a stepTemplate with one) with"
          + " privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true,"
          + " capabilities.drop: [ALL] and seccompProfile.type: RuntimeDefault."),
  PRIVILEGED(
      "Set securityContext.privileged: false; privileged containers own the node. Build images"
          + " with a rootless builder instead."),
  PRIVILEGE_ESCALATION("Set securityContext.allowPrivilegeEscalation: false."),
  RUN_AS_ROOT("Set securityContext.runAsNonRoot: true and run the image as a non-root user."),
  CAPABILITIES_NOT_DROPPED(
      "Set securityContext.capabilities.drop: [ALL] and add back only what the step needs."),
  HOST_PATH_VOLUME(
      "Do not mount host paths; use workspaces, emptyDir or a persistent volume claim."),
  STEP_NOT_INSPECTABLE(
      "A step that references a StepAction (ref) runs what the StepAction resolves to at run"
          + " time, which the verifier has not pinned or inspected; inline the step so its image"
          + " and securityContext are checked.");

  private final String remediation;

  BundleReason(String remediation) {
    this.remediation = remediation;
  }

  public String remediation() {
    return remediation;
  }
}
