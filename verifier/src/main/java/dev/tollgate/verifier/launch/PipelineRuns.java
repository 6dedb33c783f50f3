package dev.tollgate.verifier.launch;

import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.namespace.TenantProvisioner;
import dev.tollgate.verifier.policy.TriggerPolicy;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the one PipelineRun of a trigger. Its name is derived from the trigger id, so a retry, a
 * redelivery or a second replica arrives at the same name and the API server refuses a second run.
 */
public final class PipelineRuns {
  public static final String TRIGGER_ID = "tollgate.dev/trigger-id";
  public static final String DECISION_ID = "tollgate.dev/decision-id";
  public static final String POLICY = "tollgate.dev/policy";
  public static final String POLICY_VERSION = "tollgate.dev/policy-version";

  private PipelineRuns() {}

  /** {@code tg-} and the first 24 hex digits of SHA-256 over the trigger id. */
  public static String name(String triggerId) {
    return "tg-" + Sha256.hex(triggerId.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
  }

  /** A label value for any string: invalid characters replaced, at most 63, alphanumeric ends. */
  static String labelValue(String value) {
    String v = value.replaceAll("[^A-Za-z0-9._-]", "_");
    if (v.length() > 63) {
      v = v.substring(0, 63);
    }
    v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    return v;
  }

  /** The PipelineRun for a trigger admitted under {@code policy}, running {@code pinnedBundle}. */
  public static PipelineRun build(
      String triggerId,
      String decisionId,
      TriggerPolicy policy,
      String pinnedBundle,
      Map<String, String> params) {
    TriggerPolicy.RunTemplate t = policy.run();
    PipelineRun run = new PipelineRun();
    run.getMetadata().setName(name(triggerId));
    run.getMetadata().setNamespace(t.namespace());
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/managed-by", "tollgate");
    labels.put(TRIGGER_ID, labelValue(triggerId));
    labels.put(DECISION_ID, decisionId);
    labels.put(POLICY, policy.name());
    labels.put(POLICY_VERSION, labelValue(policy.version()));
    run.getMetadata().setLabels(labels);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(TRIGGER_ID, triggerId);
    annotations.put(DECISION_ID, decisionId);
    annotations.put(POLICY, policy.name());
    annotations.put(POLICY_VERSION, policy.version());
    run.getMetadata().setAnnotations(annotations);

    PipelineRun.Spec spec = new PipelineRun.Spec();
    spec.pipelineRef = new PipelineRun.PipelineRef();
    spec.pipelineRef.resolver = "bundles";
    spec.pipelineRef.params =
        List.of(
            new PipelineRun.Param("bundle", pinnedBundle),
            new PipelineRun.Param("name", t.pipeline()),
            new PipelineRun.Param("kind", "pipeline"));
    params.forEach((k, v) -> spec.params.add(new PipelineRun.Param(k, v)));
    spec.taskRunTemplate = new PipelineRun.TaskRunTemplate();
    spec.taskRunTemplate.serviceAccountName = TenantProvisioner.RUN_SERVICE_ACCOUNT;
    if (!t.workspaces().isEmpty()) {
      spec.workspaces = new java.util.ArrayList<>();
      for (TriggerPolicy.Workspace w : t.workspaces()) {
        PipelineRun.WorkspaceBinding b = new PipelineRun.WorkspaceBinding();
        b.name = w.name();
        if (w.kind() == TriggerPolicy.WorkspaceKind.TENANT_CLAIM) {
          b.persistentVolumeClaim = Map.of("claimName", TenantProvisioner.WORKSPACE_CLAIM);
        } else {
          b.emptyDir = Map.of();
        }
        spec.workspaces.add(b);
      }
    }
    t.timeout()
        .ifPresent(
            d -> {
              spec.timeouts = new PipelineRun.Timeouts();
              spec.timeouts.pipeline = d.toSeconds() + "s";
            });
    run.setSpec(spec);
    return run;
  }

  /** The bundle a PipelineRun runs, from its pipelineRef params. */
  public static Optional<String> bundle(PipelineRun run) {
    if (run.getSpec() == null || run.getSpec().pipelineRef == null) {
      return Optional.empty();
    }
    return run.getSpec().pipelineRef.params.stream()
        .filter(p -> "bundle".equals(p.name))
        .map(p -> p.value)
        .findFirst();
  }
}
