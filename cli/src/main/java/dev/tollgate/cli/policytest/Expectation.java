package dev.tollgate.cli.policytest;

import dev.tollgate.cli.decision.Conclusion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a test expects of its trigger's decision. The outcome is always compared; the policy, the
 * reason codes (in order), the violation codes, the pinned bundle and the parameters only when the
 * test states them. A policy stated as {@code null} expects no policy.
 */
public record Expectation(
    String outcome,
    Optional<Optional<String>> policy,
    Optional<String> mode,
    Optional<List<String>> reasons,
    Optional<List<String>> violations,
    Optional<String> pinnedBundle,
    Optional<Map<String, String>> params) {

  /** The outcomes a decision can have. */
  public static final List<String> OUTCOMES = List.of("admitted", "denied", "ignored", "error");

  public Expectation {
    if (!OUTCOMES.contains(outcome)) {
      throw new IllegalArgumentException("expect.outcome is one of " + OUTCOMES);
    }
    reasons = reasons.map(List::copyOf);
    violations = violations.map(List::copyOf);
    params = params.map(Map::copyOf);
  }

  /** Each way {@code actual} differs from this expectation, in words; empty when it matches. */
  public List<String> differences(Conclusion actual) {
    List<String> out = new ArrayList<>();
    if (!outcome.equals(actual.outcome())) {
      out.add("outcome: expected " + outcome + ", got " + actual.outcome());
    }
    policy.ifPresent(
        p -> {
          if (!p.equals(actual.policy())) {
            out.add(
                "policy: expected " + p.orElse("none") + ", got " + actual.policy().orElse("none"));
          }
        });
    mode.ifPresent(
        m -> {
          if (!Optional.of(m).equals(actual.mode())) {
            out.add("mode: expected " + m + ", got " + actual.mode().orElse("none"));
          }
        });
    reasons.ifPresent(
        r -> {
          if (!r.equals(actual.reasonCodes())) {
            out.add("reasons: expected " + r + ", got " + actual.reasonCodes());
          }
        });
    violations.ifPresent(
        v -> {
          if (!v.equals(actual.violationCodes())) {
            out.add("violations: expected " + v + ", got " + actual.violationCodes());
          }
        });
    pinnedBundle.ifPresent(
        b -> {
          if (!Optional.of(b).equals(actual.pinnedBundle())) {
            out.add(
                "pinnedBundle: expected " + b + ", got " + actual.pinnedBundle().orElse("none"));
          }
        });
    params.ifPresent(
        p -> {
          if (!Optional.of(p).equals(actual.params())) {
            out.add(
                "params: expected "
                    + new java.util.TreeMap<>(p)
                    + ", got "
                    + actual
                        .params()
                        .map(java.util.TreeMap::new)
                        .map(Object::toString)
                        .orElse("none"));
          }
        });
    return out;
  }
}
