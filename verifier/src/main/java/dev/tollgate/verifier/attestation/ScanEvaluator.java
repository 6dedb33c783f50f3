package dev.tollgate.verifier.attestation;

import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.report.Check;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges an image's vulnerability scans against a {@link ScanPolicy}: the newest trusted scan
 * counts; it must be fresh and not dated in the future (beyond the allowed clock skew: a future
 * date would keep it fresh longer than maxAge), and every finding of a denied severity must be
 * covered by an unexpired waiver. The passing check carries {@code validUntil}: when the scan goes
 * stale or an applied waiver expires, so a cached result never outlives it.
 */
public final class ScanEvaluator {
  public static final String CHECK = "image.vulnerabilities";

  private final ScanPolicy policy;
  private final String check;
  private final boolean required;

  public ScanEvaluator(ScanPolicy policy) {
    this(policy, CHECK, true);
  }

  /**
   * @param check the name of the checks this evaluator reports
   * @param required whether a missing scan is a failure (when not, a trusted scan that is present
   *     is still judged)
   */
  public ScanEvaluator(ScanPolicy policy, String check, boolean required) {
    this.policy = policy;
    this.check = check;
    this.required = required;
  }

  public Check evaluate(
      String subject, ImageReference image, AttestationCollector.Collected found, Instant now) {
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("image", image.toString());
    List<VerifiedStatement> statements = found.ofType(policy.scanPredicateTypes());
    if (statements.isEmpty() && !required) {
      return Check.passed(check, subject, "no vulnerability scan required by the policy", ev);
    }
    if (statements.isEmpty()) {
      List<AttestationCollector.Rejected> rejected =
          found.rejectedOfType(policy.scanPredicateTypes());
      if (!rejected.isEmpty()) {
        AttestationCollector.Rejected first = rejected.get(0);
        Map<String, String> e = new LinkedHashMap<>(first.evidence());
        e.putAll(ev);
        e.put("rejectedScans", String.valueOf(rejected.size()));
        return Check.failed(
            check,
            subject,
            first.reason().name(),
            "no trusted scan for " + image + ": " + first.message(),
            first.reason().remediation(),
            e);
      }
      return fail(
          subject,
          AttestationReason.SCAN_MISSING,
          "no vulnerability scan attestation for " + image,
          ev);
    }
    List<Map.Entry<VerifiedStatement, VulnerabilityScan>> scans = new ArrayList<>();
    for (VerifiedStatement s : statements) {
      try {
        scans.add(
            Map.entry(
                s,
                VulnerabilityScan.parse(s.statement().predicateType(), s.statement().predicate())));
      } catch (IllegalArgumentException e) {
        Map<String, String> e2 = new LinkedHashMap<>(s.evidence());
        e2.putAll(ev);
        return fail(
            subject,
            AttestationReason.SCAN_UNREADABLE,
            "scan attestation unreadable: " + e.getMessage(),
            e2);
      }
    }
    scans.sort(
        Comparator.comparing(
                (Map.Entry<VerifiedStatement, VulnerabilityScan> e) ->
                    e.getValue().scannedAt().orElse(Instant.MIN))
            .reversed());
    VerifiedStatement statement = scans.get(0).getKey();
    VulnerabilityScan scan = scans.get(0).getValue();
    ev.putAll(statement.evidence());
    ev.put("signer", statement.signer());
    ev.put("scanner", scan.scanner());
    scan.counts()
        .forEach(
            (sev, n) ->
                ev.put(
                    "findings." + sev.name().toLowerCase(java.util.Locale.ROOT),
                    String.valueOf(n)));
    if (scan.scannedAt().isEmpty()) {
      return fail(subject, AttestationReason.SCAN_STALE, "the scan says not when it ran", ev);
    }
    Instant scannedAt = scan.scannedAt().get();
    Instant staleAt = scannedAt.plus(policy.maxAge());
    ev.put("scannedAt", scannedAt.toString());
    ev.put("maxAge", policy.maxAge().toString());
    if (scannedAt.isAfter(now.plus(policy.maxClockSkew()))) {
      ev.put("maxClockSkew", policy.maxClockSkew().toString());
      ev.put("now", now.toString());
      return fail(
          subject,
          AttestationReason.SCAN_FROM_FUTURE,
          "the newest trusted scan of "
              + image
              + " is dated "
              + scannedAt
              + ", more than "
              + policy.maxClockSkew()
              + " after the verifier's clock ("
              + now
              + ")",
          ev);
    }
    if (!now.isBefore(staleAt)) {
      return fail(
          subject,
          AttestationReason.SCAN_STALE,
          "the newest trusted scan of "
              + image
              + " ran at "
              + scannedAt
              + ", older than "
              + policy.maxAge(),
          ev);
    }
    Instant validUntil = staleAt;
    List<String> denied = new ArrayList<>();
    List<String> excepted = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    for (VulnerabilityScan.Finding f : scan.findings()) {
      if (!policy.denied().contains(f.severity())) {
        continue;
      }
      Optional<VulnerabilityWaiver> live = Optional.empty();
      for (VulnerabilityWaiver x : policy.waivers()) {
        if (x.cve().equals(f.id()) && x.covers(image)) {
          if (x.expiredAt(now)) {
            expired.add(f.id() + " (expired " + x.expires() + ")");
          } else {
            live = Optional.of(x);
          }
        }
      }
      if (live.isPresent()) {
        excepted.add(f.id() + " until " + live.get().expires() + ": " + live.get().reason());
        if (live.get().expires().isBefore(validUntil)) {
          validUntil = live.get().expires();
        }
      } else {
        denied.add(f.id() + " " + f.severity() + " in " + f.pkg());
      }
    }
    if (!excepted.isEmpty()) {
      ev.put("exceptionsApplied", String.join("; ", excepted));
    }
    if (!expired.isEmpty()) {
      ev.put("exceptionsExpired", String.join("; ", expired));
    }
    if (!denied.isEmpty()) {
      ev.put("denied", String.join("; ", denied));
      return fail(
          subject,
          AttestationReason.VULNERABILITIES_DENIED,
          denied.size()
              + " finding(s) of a denied severity "
              + policy.denied()
              + " in "
              + image
              + ": "
              + String.join("; ", denied.subList(0, Math.min(5, denied.size())))
              + (expired.isEmpty() ? "" : " (expired waivers: " + String.join("; ", expired) + ")"),
          ev);
    }
    ev.put("validUntil", validUntil.toString());
    return Check.passed(
        check,
        subject,
        "scan by "
            + scan.scanner().trim()
            + " at "
            + scannedAt
            + " has no unexcepted finding of "
            + policy.denied(),
        ev);
  }

  private Check fail(
      String subject, AttestationReason reason, String message, Map<String, String> ev) {
    return Check.failed(check, subject, reason.name(), message, reason.remediation(), ev);
  }
}
