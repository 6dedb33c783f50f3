package dev.tollgate.cli.policytest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cli.decision.Remedies;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.CheckName;
import dev.tollgate.verifier.report.Outcome;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.verify.BundleVerification;
import dev.tollgate.verifier.verify.VerificationOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bundle's verification as a test declares it: the checks with their outcomes and codes, the
 * digest the bundle resolved to, or a trust configuration that cannot be used. No registry is
 * asked, ever; a decision that asks for a verification the test did not declare ends in {@link
 * NotDeclaredException}, which makes the test an error rather than a pass.
 *
 * <pre>
 * verification:
 *   pinned: registry.example/acme/pipelines@sha256:...   # the digest the bundle resolved to
 *   checks:
 *     - {check: bundle.resolve, outcome: passed}
 *     - {check: bundle.signature, outcome: failed, code: SIGNATURE_MISSING}
 * </pre>
 */
public final class DeclaredVerification implements BundleVerification {

  /** When the declared report says it was made (the decider quotes it, nothing compares it). */
  static final Instant VERIFIED_AT = Instant.EPOCH;

  /** The trust fingerprint the declared report carries. */
  static final String DECLARED_TRUST = "declared-by-test";

  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{1,63}");
  private static final Pattern PINNED = Pattern.compile(".+@sha256:[0-9a-f]{64}");
  private static final Set<String> KEYS = Set.of("outcome", "why", "pinned", "attempts", "checks");
  private static final Set<String> CHECK_KEYS =
      Set.of("check", "subject", "outcome", "code", "message");

  /** A decision needed the bundle's verification, and the test declares none. */
  public static final class NotDeclaredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotDeclaredException(String message) {
      super(message);
    }
  }

  private final Optional<JsonNode> declared;
  private boolean asked;

  private DeclaredVerification(Optional<JsonNode> declared) {
    this.declared = declared;
  }

  /** Nothing declared: the decision must not need the bundle's verification. */
  static DeclaredVerification none() {
    return new DeclaredVerification(Optional.empty());
  }

  /**
   * The verification {@code node} declares, checked now so a typo is an error of the manifest, not
   * a test that passes for the wrong reason.
   *
   * @param where where the node is in the manifest, for messages
   */
  static DeclaredVerification of(JsonNode node, String where) throws ManifestException {
    if (!node.isObject()) {
      throw new ManifestException(where + ": a mapping of pinned, checks (or outcome, why)");
    }
    unknownKeys(node, KEYS, where);
    String outcome = node.path("outcome").asText("reported");
    switch (outcome) {
      case "trustUnusable" -> {
        if (node.path("why").asText("").isBlank()) {
          throw new ManifestException(where + ".why: say why the trust configuration is unusable");
        }
        return new DeclaredVerification(Optional.of(node));
      }
      case "reported" -> {
        // checked below
      }
      default ->
          throw new ManifestException(
              where + ".outcome: '" + outcome + "' is not one of reported, trustUnusable");
    }
    if (node.has("pinned") && !PINNED.matcher(node.path("pinned").asText()).matches()) {
      throw new ManifestException(
          where
              + ".pinned: a reference by digest (repository@sha256:<64 hex>), not '"
              + node.path("pinned").asText()
              + "'");
    }
    JsonNode checks = node.path("checks");
    if (!checks.isArray() || checks.isEmpty()) {
      throw new ManifestException(where + ".checks: at least one check");
    }
    int i = 0;
    for (JsonNode c : checks) {
      String at = where + ".checks[" + i++ + "]";
      if (!c.isObject()) {
        throw new ManifestException(at + ": a mapping of check, outcome, code, subject, message");
      }
      unknownKeys(c, CHECK_KEYS, at);
      String name = c.path("check").asText("");
      if (CheckName.of(name).isEmpty()) {
        throw new ManifestException(
            at + ".check: '" + name + "' is not a check the verifier makes");
      }
      Outcome o = outcome(c.path("outcome").asText(""), at);
      if (o != Outcome.PASSED) {
        String code = c.path("code").asText("");
        if (!CODE.matcher(code).matches()) {
          throw new ManifestException(at + ".code: a check that did not pass has a reason code");
        }
        if (!Remedies.known(code)) {
          throw new ManifestException(
              at + ".code: no catalog of the verifier holds code " + code + " (a typo?)");
        }
      } else if (c.has("code")) {
        throw new ManifestException(at + ".code: a passed check has no reason code");
      }
    }
    return new DeclaredVerification(Optional.of(node));
  }

  /** Whether the decider asked for the bundle's verification. */
  boolean asked() {
    return asked;
  }

  @Override
  public VerificationOutcome verify(TriggerPolicy policy) {
    asked = true;
    if (declared.isEmpty()) {
      throw new NotDeclaredException(
          "the decision needs the verification of bundle "
              + policy.run().bundle()
              + " (policy "
              + policy.name()
              + "), and the test declares none: add verification: with its checks (no registry is"
              + " asked)");
    }
    JsonNode node = declared.get();
    if (node.path("outcome").asText("reported").equals("trustUnusable")) {
      return new VerificationOutcome.TrustUnusable(node.path("why").asText());
    }
    String bundle = policy.run().bundle();
    List<Check> checks = new ArrayList<>();
    for (JsonNode c : node.path("checks")) {
      checks.add(check(c, bundle));
    }
    Optional<String> pinned =
        node.has("pinned")
            ? Optional.of(node.path("pinned").asText())
            : Optional.of(bundle).filter(b -> PINNED.matcher(b).matches());
    boolean resolved = checks.stream().anyMatch(c -> CheckName.BUNDLE_RESOLVE.is(c) && c.passed());
    if ((resolved || checks.stream().allMatch(Check::passed)) && pinned.isEmpty()) {
      throw new NotDeclaredException(
          "the declared bundle.resolve passed, but bundle "
              + bundle
              + " is not a reference by digest: declare pinned: with the digest it resolved to");
    }
    return new VerificationOutcome.Reported(
        VerificationReport.of(bundle, pinned, checks, VERIFIED_AT, DECLARED_TRUST),
        Math.max(1, node.path("attempts").asInt(1)));
  }

  private static Check check(JsonNode c, String bundle) {
    String name = c.path("check").asText();
    String subject = c.path("subject").asText("bundle " + bundle);
    Outcome outcome = Outcome.valueOf(c.path("outcome").asText().toUpperCase(Locale.ROOT));
    String message =
        c.path("message")
            .asText(
                name + " " + outcome.name().toLowerCase(Locale.ROOT) + " (declared by the test)");
    return switch (outcome) {
      case PASSED -> Check.passed(name, subject, message, Map.of());
      case FAILED -> {
        String code = c.path("code").asText();
        yield Check.failed(
            name,
            subject,
            code,
            message,
            Remedies.of(code).orElse("none in the catalog"),
            Map.of());
      }
      case ERROR -> {
        String code = c.path("code").asText();
        yield Check.error(
            name,
            subject,
            code,
            message,
            Remedies.of(code).orElse("none in the catalog"),
            Map.of());
      }
    };
  }

  private static Outcome outcome(String wire, String at) throws ManifestException {
    return switch (wire) {
      case "passed" -> Outcome.PASSED;
      case "failed" -> Outcome.FAILED;
      case "error" -> Outcome.ERROR;
      default ->
          throw new ManifestException(
              at + ".outcome: '" + wire + "' is not one of passed, failed, error");
    };
  }

  static void unknownKeys(JsonNode node, Set<String> known, String where) throws ManifestException {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new ManifestException(
            where + "." + name + ": unknown key (known: " + new java.util.TreeSet<>(known) + ")");
      }
    }
  }
}
