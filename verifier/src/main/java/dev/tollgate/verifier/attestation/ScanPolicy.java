package dev.tollgate.verifier.attestation;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a vulnerability scan must show: no finding of a denied severity (Critical and High by
 * default) unless an unexpired waiver covers it, from a scan no older than {@code maxAge}.
 *
 * @param scanPredicateTypes predicate types read as scans: the cosign vuln predicate v1 and the
 *     types under which Grype or Trivy JSON is attested directly
 * @param maxClockSkew how far ahead of the verifier's clock a scan may be dated: beyond it the scan
 *     is refused (SCAN_FROM_FUTURE), so a future date cannot stretch maxAge
 */
public record ScanPolicy(
    Set<Severity> denied,
    Duration maxAge,
    List<VulnerabilityWaiver> waivers,
    Set<String> scanPredicateTypes,
    Duration maxClockSkew) {

  /** How far ahead a scan may be dated unless the policy says otherwise. */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  /** A policy allowing {@link #DEFAULT_MAX_CLOCK_SKEW}. */
  public ScanPolicy(
      Set<Severity> denied,
      Duration maxAge,
      List<VulnerabilityWaiver> waivers,
      Set<String> scanPredicateTypes) {
    this(denied, maxAge, waivers, scanPredicateTypes, DEFAULT_MAX_CLOCK_SKEW);
  }

  /**
   * Trivy's JSON report attested as is. Neither Trivy nor Grype defines a predicate type of its
   * own: upstream, both reach cosign as the cosign vuln predicate ({@code trivy --format
   * cosign-vuln}, then {@code cosign attest --type vuln}; cosign's {@code
   * attestation.CosignVulnProvenanceV01}). This URI is the one policy engines that read raw Trivy
   * reports use (carabiner-dev/ampel); {@link #TRIVY_NATIVE_V1} is its versioned spelling seen in
   * CI workflows. Other types are added with {@code scanPredicateTypes}; the parser recognises
   * Grype ({@code matches}) and Trivy ({@code Results}) JSON by content under any type listed.
   */
  public static final String TRIVY_NATIVE = "https://trivy.dev/report";

  public static final String TRIVY_NATIVE_V1 = "https://trivy.dev/report/v1";

  public ScanPolicy {
    denied = denied.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(denied));
    waivers = List.copyOf(waivers);
    scanPredicateTypes = Set.copyOf(scanPredicateTypes);
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge is positive");
    }
    if (maxClockSkew == null || maxClockSkew.isNegative()) {
      throw new IllegalArgumentException("maxClockSkew is not negative");
    }
  }

  /** Deny Critical and High, scans at most 7 days old, no waivers. */
  public static ScanPolicy defaults() {
    return new ScanPolicy(
        EnumSet.of(Severity.CRITICAL, Severity.HIGH),
        Duration.ofDays(7),
        List.of(),
        Set.of(VulnerabilityScan.COSIGN_VULN_V1, TRIVY_NATIVE, TRIVY_NATIVE_V1));
  }
}
