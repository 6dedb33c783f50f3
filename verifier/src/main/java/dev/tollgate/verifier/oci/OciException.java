package dev.tollgate.verifier.oci;

import java.util.Map;

/**
 * Reading from an OCI source failed. Carries a stable {@link OciReason} and the evidence
 * (reference, digest, status). Messages never contain credentials or tokens.
 */
public class OciException extends Exception {
  private static final long serialVersionUID = 1L;

  private final OciReason reason;
  private final transient Map<String, String> evidence;

  public OciException(OciReason reason, String message, Map<String, String> evidence) {
    this(reason, message, evidence, null);
  }

  public OciException(
      OciReason reason, String message, Map<String, String> evidence, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
    this.evidence = Map.copyOf(evidence);
  }

  public OciReason reason() {
    return reason;
  }

  /** What was being read when it failed: reference, digest, HTTP status and the like. */
  public Map<String, String> evidence() {
    return evidence;
  }
}
