package dev.tollgate.verifier.attestation;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a vulnerability scan must show: no finding of a denied severity (Critical and High by
 * default) unless an unexpired exception covers it, from a scan no older than {@code maxAge}.
 *
 * @param scanPredicateTypes predicate types read as scans: the cosign vuln predicate v1 and the
 *     types under which Grype or Trivy JSON is attested directly
 */
public record ScanPolicy(
    Set<Severity> denied,
    Duration maxAge,
    List<VulnerabilityException> exceptions,
    Set<String> scanPredicateTypes) {

  /** Predicate types for Grype and Trivy JSON attested as is (cosign attest --type URI). */
  public static final String GRYPE_NATIVE = "https://anchore.com/grype/report/v1";

  public static final String TRIVY_NATIVE = "https://trivy.dev/report/v1";

  public ScanPolicy {
    denied = denied.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(denied));
    exceptions = List.copyOf(exceptions);
    scanPredicateTypes = Set.copyOf(scanPredicateTypes);
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge is positive");
    }
  }

  /** Deny Critical and High, scans at most 7 days old, no exceptions. */
  public static ScanPolicy defaults() {
    return new ScanPolicy(
        EnumSet.of(Severity.CRITICAL, Severity.HIGH),
        Duration.ofDays(7),
        List.of(),
        Set.of(VulnerabilityScan.COSIGN_VULN_V1, GRYPE_NATIVE, TRIVY_NATIVE));
  }
}
