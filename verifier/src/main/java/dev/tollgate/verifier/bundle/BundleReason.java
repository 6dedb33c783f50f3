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
      "Reference the image by digest (image: repo@sha256:...), or allow the verifier to resolve"
          + " tags (steps.resolveTags)."),
  IMAGE_UNRESOLVABLE(
      "The image reference cannot be resolved to a digest: push the image, fix the reference, or"
          + " do not compute the image from parameters."),
  SECURITY_CONTEXT_MISSING(
      "Give every step and sidecar a securityContext (or the task a stepTemplate with one) with"
          + " privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true and"
          + " capabilities.drop: [ALL]."),
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
      "Steps that reference a StepAction (ref) are not inspected yet; inline the step so its"
          + " image and securityContext can be checked.");

  private final String remediation;

  BundleReason(String remediation) {
    this.remediation = remediation;
  }

  public String remediation() {
    return remediation;
  }
}
