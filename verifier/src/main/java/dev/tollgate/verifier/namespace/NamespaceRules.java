package dev.tollgate.verifier.namespace;

import dev.tollgate.schemas.event.Reason;
import dev.tollgate.verifier.reason.DecisionReason;
import java.util.Optional;

/** Which namespaces runs may go to: never {@code default} or a system namespace. */
public final class NamespaceRules {

  private NamespaceRules() {}

  /** Why runs may not go to {@code namespace}, if they may not. */
  public static Optional<Reason> forbidden(String namespace) {
    boolean system =
        namespace == null
            || namespace.equals("default")
            || namespace.startsWith("kube-")
            || namespace.startsWith("openshift")
            || namespace.startsWith("tollgate-")
            || namespace.equals("tekton-pipelines")
            || namespace.startsWith("tekton-pipelines-");
    if (!system) {
      return Optional.empty();
    }
    return Optional.of(
        DecisionReason.NAMESPACE_FORBIDDEN.reason(
            "PipelineRuns never go to namespace '"
                + namespace
                + "': it is default or a system namespace"));
  }
}
