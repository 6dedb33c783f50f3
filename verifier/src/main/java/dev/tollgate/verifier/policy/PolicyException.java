package dev.tollgate.verifier.policy;

import java.nio.file.Path;

/** A TriggerPolicy that cannot be used: which file (or ConfigMap key), which field, and why. */
public final class PolicyException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String field;
  private final String why;

  public PolicyException(Path file, String field, String why) {
    this(String.valueOf(file), field, why);
  }

  /** For a policy that is not a file: {@code origin} names where it came from. */
  public PolicyException(String origin, String field, String why) {
    super(origin + ": " + field + ": " + why);
    this.file = origin;
    this.field = field;
    this.why = why;
  }

  public String file() {
    return file;
  }

  public String field() {
    return field;
  }

  public String why() {
    return why;
  }
}
