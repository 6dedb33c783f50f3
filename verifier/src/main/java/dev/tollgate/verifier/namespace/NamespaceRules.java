package dev.tollgate.verifier.namespace;

import dev.tollgate.schemas.event.Reason;
import java.util.Optional;

/** Which namespaces runs may go to: never {@code default} or a system namespace. */
public final class NamespaceRules {
  public static final String NAMESPACE_FORBIDDEN = "NAMESPACE_FORBIDDEN";

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
        new Reason(
            NAMESPACE_FORBIDDEN,
            "PipelineRuns never go to namespace '"
                + namespace
                + "': it is default or a system namespace",
            "Set spec.run.namespace of the policy to a tenant namespace of its own, such as"
                + " team-<name>."));
  }
}
