package dev.tollgate.verifier.attestation;

/**
 * Stable codes for attestation checks, each with what a person should do about it. Scripts match on
 * the name; never rename one.
 */
public enum AttestationReason {
  SUBJECT_MISMATCH(
      "The attestation is about another digest (copied from another image, or made before a"
          + " rebuild); attest this digest."),
  SIGNER_UNTRUSTED(
      "Sign attestations with a key or identity listed under attestationSigners, or add the"
          + " signer there."),
  THRESHOLD_NOT_MET(
      "Have more of the signers listed under attestationSigners attest the same statement (each"
          + " signs it: cosign attest with each key), or lower attestationSigners.threshold."),
  MALFORMED_ATTESTATION("Re-create the attestation with cosign attest or a sigstore client."),
  SCAN_MISSING(
      "Scan the image by digest (grype or trivy) and attach the result as a signed attestation"
          + " (cosign attest --type vuln)."),
  SCAN_UNREADABLE(
      "Attach the scanner's JSON output (grype -o json, trivy --format json) in a cosign vuln"
          + " predicate."),
  SCAN_STALE("Re-scan the image: vulnerability databases change daily."),
  SCAN_FROM_FUTURE(
      "The scan is dated later than the verifier's clock allows (vulnerabilities.maxClockSkew): a"
          + " scan cannot have run in the future, and a future date would keep it fresh for longer"
          + " than vulnerabilities.maxAge. Fix the scanner host's clock (NTP) and attest a new scan."),
  VULNERABILITIES_DENIED(
      "Rebuild the image with fixed packages, or record a time-limited waiver (CVE, image,"
          + " reason, expiry) under vulnerabilities.exceptions in the policy."),
  PROVENANCE_MISSING(
      "Attach signed SLSA provenance (v0.2 or v1) for the image digest; Tekton Chains or the SLSA"
          + " GitHub generator write it."),
  PROVENANCE_CONDITION_FAILED(
      "The provenance does not satisfy the policy's condition; build the image with the required"
          + " builder and source, or correct the condition."),
  PROVENANCE_CONDITION_ERROR(
      "The condition could not be evaluated on this provenance (a missing field); make the"
          + " condition robust with has() or fix the provenance.");

  private final String remediation;

  AttestationReason(String remediation) {
    this.remediation = remediation;
  }

  public String remediation() {
    return remediation;
  }
}
