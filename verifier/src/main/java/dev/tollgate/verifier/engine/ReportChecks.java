package dev.tollgate.verifier.engine;

import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.signature.SignatureCheck;
import dev.tollgate.verifier.signature.SignatureReason;
import dev.tollgate.verifier.signature.SignatureReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the findings of the signature and registry layers read as checks of the report. */
final class ReportChecks {
  private ReportChecks() {}

  /** One passed check naming the signers, or the failures that kept the threshold unmet. */
  static List<Check> signatureChecks(String name, String subject, SignatureReport report) {
    if (report.trusted()) {
      Map<String, String> ev = new LinkedHashMap<>();
      ev.put("digest", report.digest().toString());
      ev.put("signers", String.join(",", report.trustedSigners()));
      ev.put("threshold", String.valueOf(report.threshold()));
      for (SignatureCheck c : report.checks()) {
        if (c.passed()) {
          c.evidence().forEach(ev::putIfAbsent);
        }
      }
      return List.of(
          Check.passed(
              name,
              subject,
              "signed by "
                  + String.join(", ", report.trustedSigners())
                  + " (threshold "
                  + report.threshold()
                  + ")",
              ev));
    }
    List<Check> out = new ArrayList<>();
    for (SignatureCheck c : report.failures()) {
      out.add(
          Check.failed(
              name, subject, c.reason().name(), c.message(), c.remediation(), c.evidence()));
    }
    if (out.isEmpty()) {
      out.add(
          Check.failed(
              name,
              subject,
              SignatureReason.THRESHOLD_NOT_MET.name(),
              "not enough trusted signers",
              SignatureReason.THRESHOLD_NOT_MET.remediation(),
              Map.of("digest", report.digest().toString())));
    }
    return List.copyOf(out);
  }

  /** A registry failure: an error (retry) when transient, a denial otherwise. */
  static Check ociCheck(String name, String subject, OciException e) {
    Map<String, String> ev = new LinkedHashMap<>(e.evidence());
    if (e.reason().isTransient()) {
      return Check.error(
          name, subject, e.reason().name(), e.getMessage(), e.reason().remediation(), ev);
    }
    return Check.failed(
        name, subject, e.reason().name(), e.getMessage(), e.reason().remediation(), ev);
  }
}
