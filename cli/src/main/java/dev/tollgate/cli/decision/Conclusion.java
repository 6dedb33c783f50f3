package dev.tollgate.cli.decision;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.decide.Ruling;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A decision as people compare it: outcome ({@code admitted}, {@code denied}, {@code ignored},
 * {@code error}), the policy that decided and its mode, the reasons in order, the violations, and
 * for an admission the pinned bundle and its parameters (known only for a ruling made here: the
 * recorded decision carries the PipelineRun's bundle, not its parameters).
 */
public record Conclusion(
    String outcome,
    Optional<String> policy,
    Optional<String> mode,
    List<Reason> reasons,
    List<Reason> violations,
    Optional<String> pinnedBundle,
    Optional<Map<String, String>> params) {

  public Conclusion {
    if (outcome == null) {
      throw new IllegalArgumentException("an outcome is one of admitted, denied, ignored, error");
    }
    reasons = List.copyOf(reasons);
    violations = List.copyOf(violations);
    params = params.map(p -> Map.copyOf(p));
  }

  /** The ruling the verifier's decider made. */
  public static Conclusion of(Ruling ruling) {
    Optional<String> pinned = Optional.empty();
    Optional<Map<String, String>> params = Optional.empty();
    if (ruling instanceof Ruling.Admit admit) {
      pinned = Optional.of(admit.pinnedBundle());
      params = Optional.of(admit.params());
    }
    return new Conclusion(
        ruling.outcome().wire(),
        ruling.policy().map(DecisionEvent.PolicyRef::name),
        ruling.evidence().mode().map(m -> m.name().toLowerCase(Locale.ROOT)),
        ruling.reasons(),
        ruling.evidence().violations(),
        pinned,
        params);
  }

  /** The decision the verifier recorded. */
  public static Conclusion of(DecisionEvent decision) {
    return new Conclusion(
        decision.outcome().wire(),
        Optional.ofNullable(decision.policy()).map(DecisionEvent.PolicyRef::name),
        Optional.ofNullable(decision.mode()).map(DecisionEvent.Mode::wire),
        decision.reasons(),
        decision.violations(),
        Optional.ofNullable(decision.pipelineRun()).map(DecisionEvent.PipelineRunRef::bundle),
        Optional.empty());
  }

  /** The reason codes, in order. */
  public List<String> reasonCodes() {
    return reasons.stream().map(Reason::code).toList();
  }

  /** The violation codes, in order. */
  public List<String> violationCodes() {
    return violations.stream().map(Reason::code).toList();
  }

  /**
   * Whether {@code other} decided the same: outcome, policy and reason codes in order. Messages
   * differ between runs (times, attempts) and are not compared.
   */
  public boolean sameAs(Conclusion other) {
    return outcome.equals(other.outcome)
        && policy.equals(other.policy)
        && reasonCodes().equals(other.reasonCodes());
  }

  /**
   * One line: {@code denied by release [SIGNATURE_MISSING]}, or {@code admitted by release (audit
   * mode) [SIGNATURE_MISSING]} when audit mode admitted it anyway.
   */
  public String brief() {
    return outcome
        + policy.map(p -> " by " + p).orElse("")
        + mode.filter("audit"::equals).map(m -> " (audit mode)").orElse("")
        + " "
        + reasonCodes();
  }

  /** As JSON, each reason with its message and remediation. */
  public ObjectNode toJson() {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("outcome", outcome);
    json.put("policy", policy.orElse(null));
    json.put("mode", mode.orElse(null));
    json.set("reasons", reasonsJson(reasons));
    json.set("violations", reasonsJson(violations));
    pinnedBundle.ifPresent(p -> json.put("pinnedBundle", p));
    params.ifPresent(
        p -> {
          ObjectNode values = json.putObject("params");
          new TreeMap<>(p).forEach(values::put);
        });
    return json;
  }

  private static ArrayNode reasonsJson(List<Reason> reasons) {
    ArrayNode array = Json.mapper().createArrayNode();
    for (Reason r : reasons) {
      ObjectNode reason = array.addObject();
      reason.put("code", r.code());
      reason.put("message", r.message());
      reason.put("remediation", r.remediation());
    }
    return array;
  }
}
