package dev.tollgate.verifier.report;

import java.util.Map;
import java.util.Optional;

/**
 * One check of a verification: what was checked (a stable check name and the subject, such as an
 * image or a step), its outcome, the evidence, and for anything but a pass a stable reason code, a
 * message and what to do about it.
 *
 * @param name the kind of check, e.g. {@code signature}, {@code step.securityContext}
 * @param subject what was checked, e.g. {@code task/build step/compile}
 * @param code a stable reason code; {@code VERIFIED} for passes
 */
public record Check(
    String name,
    String subject,
    Outcome outcome,
    String code,
    String message,
    Optional<String> remediation,
    Map<String, String> evidence) {

  public Check {
    if (name == null || subject == null || outcome == null || code == null || message == null) {
      throw new IllegalArgumentException("a check has a name, subject, outcome, code and message");
    }
    if (outcome != Outcome.PASSED && remediation.isEmpty()) {
      throw new IllegalArgumentException("a check that did not pass says what to do about it");
    }
    evidence = Map.copyOf(evidence);
  }

  public static Check passed(
      String name, String subject, String message, Map<String, String> evidence) {
    return new Check(
        name, subject, Outcome.PASSED, "VERIFIED", message, Optional.empty(), evidence);
  }

  public static Check failed(
      String name,
      String subject,
      String code,
      String message,
      String remediation,
      Map<String, String> evidence) {
    return new Check(
        name, subject, Outcome.FAILED, code, message, Optional.of(remediation), evidence);
  }

  public static Check error(
      String name,
      String subject,
      String code,
      String message,
      String remediation,
      Map<String, String> evidence) {
    return new Check(
        name, subject, Outcome.ERROR, code, message, Optional.of(remediation), evidence);
  }

  public boolean passed() {
    return outcome == Outcome.PASSED;
  }
}
