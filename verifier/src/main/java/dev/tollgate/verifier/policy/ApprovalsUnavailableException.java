package dev.tollgate.verifier.policy;

/**
 * The approval journal could not be written or read to its end: whether a fork pull request is
 * approved is not known, so nothing runs (the decision is {@code error}).
 */
public final class ApprovalsUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ApprovalsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
