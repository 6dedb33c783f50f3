package dev.tollgate.verifier.report;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every kind of check a verification report can hold, by the name it carries on the wire ({@code
 * check} in a decision's verification), with what it checks. A check's reason code and remediation
 * come from the catalog of its own package ({@code OciReason}, {@code BundleReason}, ...); the name
 * says which rule of the trust policy it applied.
 */
public enum CheckName {
  BUNDLE_RESOLVE("bundle.resolve", "the bundle reference resolved to one digest"),
  BUNDLE_SIGNATURE("bundle.signature", "the bundle digest is signed by a trusted signer"),
  BUNDLE_CONTENTS("bundle.contents", "the bundle reads per Tekton's bundle contract"),
  BUNDLE_ATTESTATIONS("bundle.attestations", "the bundle's attestations could be read"),
  BUNDLE_VULNERABILITIES("bundle.vulnerabilities", "the bundle's signed scan passes"),
  BUNDLE_PROVENANCE("bundle.provenance", "the bundle's signed provenance meets the conditions"),
  BUNDLE_PIPELINE("bundle.pipeline", "the policy's pipeline is in the bundle"),
  PIPELINE_TASK_REF("pipeline.taskRef", "a pipeline task references a task Tollgate can pin"),
  TASK_BUNDLE("task.bundle", "a task bundle the pipeline references"),
  TASK_BUNDLE_RESOLVE("task.bundle.resolve", "a task bundle is pinned by digest"),
  TASK_BUNDLE_SIGNATURE("task.bundle.signature", "a task bundle is signed by a trusted signer"),
  TASK_BUNDLE_CONTENTS("task.bundle.contents", "a task bundle reads per the bundle contract"),
  TASK_BUNDLE_ATTESTATIONS("task.bundle.attestations", "a task bundle's attestations"),
  TASK_BUNDLE_VULNERABILITIES("task.bundle.vulnerabilities", "a task bundle's signed scan"),
  TASK_BUNDLE_PROVENANCE("task.bundle.provenance", "a task bundle's signed provenance"),
  TASK_STEPS("task.steps", "a task has steps Tollgate can judge"),
  TASK_VOLUMES("task.volumes", "a task mounts no host paths"),
  STEP_IMAGE("step.image", "a step or sidecar image is pinned by digest"),
  STEP_REF("step.ref", "a step does not reference a StepAction Tollgate cannot pin"),
  STEP_SECURITY_CONTEXT("step.securityContext", "a step runs unprivileged"),
  IMAGE_ATTESTATIONS("image.attestations", "an image's attestations could be read"),
  IMAGE_VULNERABILITIES("image.vulnerabilities", "an image's signed scan passes"),
  IMAGE_PROVENANCE("image.provenance", "an image's signed provenance meets the conditions");

  private final String wire;
  private final String checks;

  CheckName(String wire, String checks) {
    this.wire = wire;
    this.checks = checks;
  }

  /** The name on the wire, e.g. {@code bundle.resolve}. */
  public String wire() {
    return wire;
  }

  /** What the check establishes when it passes. */
  public String checks() {
    return checks;
  }

  /** Whether {@code check} is of this kind. */
  public boolean is(Check check) {
    return wire.equals(check.name());
  }

  /** The entry for a wire name, if the catalog has it. */
  public static Optional<CheckName> of(String wire) {
    return Arrays.stream(values()).filter(c -> c.wire.equals(wire)).findFirst();
  }
}
