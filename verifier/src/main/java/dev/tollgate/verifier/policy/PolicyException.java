package dev.tollgate.verifier.policy;

import java.nio.file.Path;

/** A TriggerPolicy file that cannot be used: which file, which field, and why. */
public final class PolicyException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String field;
  private final String why;

  public PolicyException(Path file, String field, String why) {
    super(file + ": " + field + ": " + why);
    this.file = String.valueOf(file);
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
