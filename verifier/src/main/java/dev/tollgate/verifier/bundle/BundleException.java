package dev.tollgate.verifier.bundle;

import java.util.Map;

/** A bundle that cannot be read per Tekton's contract; carries a stable reason and evidence. */
public final class BundleException extends Exception {
  private static final long serialVersionUID = 1L;

  private final BundleReason reason;
  private final transient Map<String, String> evidence;

  public BundleException(BundleReason reason, String message, Map<String, String> evidence) {
    super(reason + ": " + message);
    this.reason = reason;
    this.evidence = Map.copyOf(evidence);
  }

  public BundleReason reason() {
    return reason;
  }

  public Map<String, String> evidence() {
    return evidence;
  }
}
