package dev.tollgate.verifier.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.report.Check;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges an image's SLSA provenance (v0.2 or v1) against the {@link ProvenancePolicy}: some trusted
 * provenance statement about the digest must satisfy every CEL condition.
 */
public final class ProvenanceEvaluator {
  public static final String CHECK = "image.provenance";
  public static final String SLSA_V02 = "https://slsa.dev/provenance/v0.2";
  public static final String SLSA_V1 = "https://slsa.dev/provenance/v1";
  static final Set<String> TYPES = Set.of(SLSA_V02, SLSA_V1);

  private final ProvenancePolicy policy;
  private final String check;

  public ProvenanceEvaluator(ProvenancePolicy policy) {
    this(policy, CHECK);
  }

  /**
   * @param check the name of the checks this evaluator reports
   */
  public ProvenanceEvaluator(ProvenancePolicy policy, String check) {
    this.policy = policy;
    this.check = check;
  }

  public Check evaluate(
      String subject, ImageReference image, AttestationCollector.Collected found, Instant now) {
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("image", image.toString());
    List<VerifiedStatement> statements = found.ofType(TYPES);
    if (statements.isEmpty()) {
      List<AttestationCollector.Rejected> rejected = found.rejectedOfType(TYPES);
      if (!policy.required()) {
        return Check.passed(check, subject, "provenance not required by the policy", ev);
      }
      if (!rejected.isEmpty()) {
        AttestationCollector.Rejected first = rejected.get(0);
        Map<String, String> e = new LinkedHashMap<>(first.evidence());
        e.putAll(ev);
        return Check.failed(
            check,
            subject,
            first.reason().name(),
            "no trusted provenance for " + image + ": " + first.message(),
            first.reason().remediation(),
            e);
      }
      return Check.failed(
          check,
          subject,
          AttestationReason.PROVENANCE_MISSING.name(),
          "no SLSA provenance attestation for " + image,
          AttestationReason.PROVENANCE_MISSING.remediation(),
          ev);
    }
    Check firstFailure = null;
    for (VerifiedStatement s : statements) {
      Map<String, String> e = new LinkedHashMap<>(ev);
      e.putAll(s.evidence());
      e.put("signer", s.signer());
      String builderId = builderId(s.statement());
      e.put("builderId", builderId);
      Map<String, Object> vars = new LinkedHashMap<>();
      vars.put("predicate", toCel(s.statement().predicate()));
      vars.put("predicateType", s.statement().predicateType());
      vars.put("builderId", builderId);
      Check failure = null;
      for (ProvenanceCondition c : policy.conditions()) {
        try {
          if (!c.evaluate(vars)) {
            e.put("condition", c.name());
            e.put("expression", c.expression());
            failure =
                Check.failed(
                    check,
                    subject,
                    AttestationReason.PROVENANCE_CONDITION_FAILED.name(),
                    "provenance condition '" + c.name() + "' is false for " + image,
                    AttestationReason.PROVENANCE_CONDITION_FAILED.remediation(),
                    e);
            break;
          }
        } catch (CelEvaluationException ex) {
          e.put("condition", c.name());
          e.put("expression", c.expression());
          failure =
              Check.failed(
                  check,
                  subject,
                  AttestationReason.PROVENANCE_CONDITION_ERROR.name(),
                  "provenance condition '" + c.name() + "' cannot be evaluated: " + ex.getMessage(),
                  AttestationReason.PROVENANCE_CONDITION_ERROR.remediation(),
                  e);
          break;
        }
      }
      if (failure == null) {
        List<String> names = new ArrayList<>();
        policy.conditions().forEach(c -> names.add(c.name()));
        e.put("conditions", String.join(",", names));
        return Check.passed(
            check,
            subject,
            "SLSA provenance ("
                + s.statement().predicateType()
                + ") from builder "
                + builderId
                + " satisfies "
                + names.size()
                + " condition(s)",
            e);
      }
      if (firstFailure == null) {
        firstFailure = failure;
      }
    }
    return firstFailure;
  }

  /** {@code builder.id} in v0.2, {@code runDetails.builder.id} in v1. */
  static String builderId(Statement s) {
    JsonNode p = s.predicate();
    JsonNode id =
        SLSA_V1.equals(s.predicateType())
            ? p.path("runDetails").path("builder").path("id")
            : p.path("builder").path("id");
    return id.asText("");
  }

  /** JSON as CEL values: objects as maps, integers as long, null as CEL null. */
  static Object toCel(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.properties().forEach(e -> m.put(e.getKey(), toCel(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(toCel(x)));
      return l;
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.asLong();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isTextual()) {
      return n.asText();
    }
    return NullValue.NULL_VALUE;
  }
}
