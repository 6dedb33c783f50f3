package dev.tollgate.verifier.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The verdict on one bundle reference with every check that led to it. {@link #pinned()} is the
 * reference that was verified (by digest); it is what may run, never the tag.
 *
 * @param trustFingerprint identifies the trust and policy configuration the checks were made with
 * @param cached whether this report came from the cache of definitive results
 */
public record VerificationReport(
    String requested,
    Optional<String> pinned,
    Verdict verdict,
    List<Check> checks,
    Instant verifiedAt,
    String trustFingerprint,
    boolean cached) {

  public VerificationReport {
    checks = List.copyOf(checks);
    boolean anyFailed = checks.stream().anyMatch(c -> c.outcome() == Outcome.FAILED);
    boolean anyError = checks.stream().anyMatch(c -> c.outcome() == Outcome.ERROR);
    Verdict expected =
        anyFailed ? Verdict.DENIED : anyError ? Verdict.TRANSIENT_ERROR : Verdict.VERIFIED;
    if (checks.isEmpty() || verdict != expected) {
      throw new IllegalArgumentException(
          "the verdict follows from the checks: " + expected + ", not " + verdict);
    }
    if (verdict == Verdict.VERIFIED && pinned.isEmpty()) {
      throw new IllegalArgumentException("a verified bundle is pinned");
    }
  }

  /** Builds the report whose verdict the checks imply. */
  public static VerificationReport of(
      String requested,
      Optional<String> pinned,
      List<Check> checks,
      Instant verifiedAt,
      String trustFingerprint) {
    boolean anyFailed = checks.stream().anyMatch(c -> c.outcome() == Outcome.FAILED);
    boolean anyError = checks.stream().anyMatch(c -> c.outcome() == Outcome.ERROR);
    Verdict v = anyFailed ? Verdict.DENIED : anyError ? Verdict.TRANSIENT_ERROR : Verdict.VERIFIED;
    return new VerificationReport(
        requested, pinned, v, checks, verifiedAt, trustFingerprint, false);
  }

  /** The same report, marked as served from the cache. */
  public VerificationReport fromCache() {
    return new VerificationReport(
        requested, pinned, verdict, checks, verifiedAt, trustFingerprint, true);
  }

  public boolean verified() {
    return verdict == Verdict.VERIFIED;
  }

  /** Checks that did not pass, in order. */
  public List<Check> problems() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** The report as JSON, for scripts and the decision events. */
  public ObjectNode toJson() {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("requested", requested);
    pinned.ifPresent(p -> root.put("pinned", p));
    root.put("verdict", verdict.name());
    root.put("verifiedAt", verifiedAt.toString());
    root.put("trustFingerprint", trustFingerprint);
    root.put("cached", cached);
    ArrayNode arr = root.putArray("checks");
    for (Check c : checks) {
      ObjectNode n = arr.addObject();
      n.put("check", c.name());
      n.put("subject", c.subject());
      n.put("outcome", c.outcome().name());
      n.put("code", c.code());
      n.put("message", c.message());
      c.remediation().ifPresent(r -> n.put("remediation", r));
      ObjectNode ev = n.putObject("evidence");
      c.evidence().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> ev.put(e.getKey(), e.getValue()));
    }
    return root;
  }

  /** The report for people: the verdict first, then problems with what to do, then passes. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(verdict).append(": ").append(requested);
    pinned.ifPresent(p -> out.append("\n  pinned: ").append(p));
    out.append("\n  trust configuration: ").append(trustFingerprint);
    if (cached) {
      out.append(" (cached result from ").append(verifiedAt).append(')');
    }
    out.append('\n');
    for (Check c : problems()) {
      out.append("\n[")
          .append(c.outcome())
          .append("] ")
          .append(c.code())
          .append("  ")
          .append(c.name())
          .append(" · ")
          .append(c.subject())
          .append("\n    ")
          .append(c.message())
          .append("\n    what to do: ")
          .append(c.remediation().orElse(""));
      appendEvidence(out, c);
    }
    for (Check c : checks) {
      if (c.passed()) {
        out.append("\n[PASSED] ")
            .append(c.name())
            .append(" · ")
            .append(c.subject())
            .append("\n    ")
            .append(c.message());
        appendEvidence(out, c);
      }
    }
    return out.append('\n').toString();
  }

  private static void appendEvidence(StringBuilder out, Check c) {
    c.evidence().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.append("\n      ").append(e.getKey()).append(": ").append(e.getValue()));
  }
}
