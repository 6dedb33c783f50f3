package dev.tollgate.verifier.signature;

/**
 * The trust configuration itself is unusable: a key that is not a supported public key, a trusted
 * root that does not load. Checked, because it comes from a file a person wrote.
 */
public final class TrustException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Stable codes. */
  public enum Reason {
    KEY_INVALID,
    TRUSTED_ROOT_INVALID,
    POLICY_INVALID
  }

  private final Reason reason;
  private final String subject;

  public TrustException(Reason reason, String subject, String message, Throwable cause) {
    super(reason + " (" + subject + "): " + message, cause);
    this.reason = reason;
    this.subject = subject;
  }

  public Reason reason() {
    return reason;
  }

  /** The key name, file or entry the problem is in. */
  public String subject() {
    return subject;
  }
}
