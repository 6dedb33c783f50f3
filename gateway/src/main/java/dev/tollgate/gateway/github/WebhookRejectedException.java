package dev.tollgate.gateway.github;

import java.util.Objects;

/**
 * A delivery the gateway refuses: bad input, not a bug. Carries a stable {@link RejectionCode} and
 * a message that says what failed and what to do about it. Messages never quote secrets, and quote
 * nothing from the request but names of headers and fields.
 */
public final class WebhookRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final RejectionCode code;
  private final String answer;
  private String repository;

  public WebhookRejectedException(RejectionCode code, String message) {
    this(code, message, message);
  }

  /**
   * A refusal whose answer to the sender says less than its message, which goes to the operator
   * (the rejection event, the log).
   */
  public WebhookRejectedException(RejectionCode code, String message, String answer) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
    this.answer = Objects.requireNonNull(answer, "answer");
  }

  /** What the sender is told. */
  public String answer() {
    return answer;
  }

  /** Names the repository the signed delivery was about, for the rejection event. */
  WebhookRejectedException withRepository(String repository) {
    this.repository = repository;
    return this;
  }

  /** The repository the signed delivery was about, or null when not known. */
  public String repository() {
    return repository;
  }

  /** The stable reason code. */
  public RejectionCode code() {
    return code;
  }
}
