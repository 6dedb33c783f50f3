package dev.tollgate.verifier.namespace;

import dev.tollgate.schemas.event.Reason;
import dev.tollgate.verifier.reason.DecisionReason;

/**
 * Tollgate may not provision or run in a namespace: a reserved one, or an existing one nobody
 * handed to Tollgate. Nothing was written to the namespace; the run is denied with {@link
 * #reason()}.
 */
public final class NamespaceRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String namespace;
  private final DecisionReason code;

  NamespaceRefusedException(String namespace, DecisionReason code, String why) {
    super(why);
    this.namespace = namespace;
    this.code = code;
  }

  /** The namespace refused. */
  public String namespace() {
    return namespace;
  }

  /** The reason a decision carries: code, message and what to do. */
  public Reason reason() {
    return code.reason(getMessage());
  }
}
