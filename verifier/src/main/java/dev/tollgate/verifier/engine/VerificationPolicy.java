package dev.tollgate.verifier.engine;

import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanPolicy;
import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.signature.TrustPolicy;
import java.time.Duration;

/**
 * Everything a bundle verification is judged by. {@code fingerprint} identifies this configuration
 * (the loader hashes the policy file and every file it names): cached results are keyed by it, so
 * changing a key or a rule never serves a result made under the old configuration.
 *
 * @param bundleSigners who may sign pipeline and task bundles
 * @param attestationSigners who may sign scan and provenance attestations
 * @param bundleAttestations what the bundles themselves must be attested with
 * @param missingTtl how long a result denied only because a signature or attestation is not there
 *     yet is kept, instead of {@code cacheTtl}: a bundle signed just after its push is not denied
 *     for the whole TTL
 */
public record VerificationPolicy(
    TrustPolicy bundleSigners,
    TrustPolicy attestationSigners,
    StepPolicy steps,
    ScanPolicy vulnerabilities,
    ProvenancePolicy provenance,
    Duration cacheTtl,
    int cacheMaxEntries,
    String fingerprint,
    BundleAttestationPolicy bundleAttestations,
    Duration missingTtl) {

  /** How long a result denied for a missing signature or attestation is kept by default. */
  public static final Duration DEFAULT_MISSING_TTL = Duration.ofSeconds(30);

  /** A policy keeping a result denied for something missing for {@link #DEFAULT_MISSING_TTL}. */
  public VerificationPolicy(
      TrustPolicy bundleSigners,
      TrustPolicy attestationSigners,
      StepPolicy steps,
      ScanPolicy vulnerabilities,
      ProvenancePolicy provenance,
      Duration cacheTtl,
      int cacheMaxEntries,
      String fingerprint,
      BundleAttestationPolicy bundleAttestations) {
    this(
        bundleSigners,
        attestationSigners,
        steps,
        vulnerabilities,
        provenance,
        cacheTtl,
        cacheMaxEntries,
        fingerprint,
        bundleAttestations,
        DEFAULT_MISSING_TTL);
  }

  /** A policy that requires no attestations on the bundles themselves. */
  public VerificationPolicy(
      TrustPolicy bundleSigners,
      TrustPolicy attestationSigners,
      StepPolicy steps,
      ScanPolicy vulnerabilities,
      ProvenancePolicy provenance,
      Duration cacheTtl,
      int cacheMaxEntries,
      String fingerprint) {
    this(
        bundleSigners,
        attestationSigners,
        steps,
        vulnerabilities,
        provenance,
        cacheTtl,
        cacheMaxEntries,
        fingerprint,
        BundleAttestationPolicy.notRequired(),
        DEFAULT_MISSING_TTL);
  }

  public VerificationPolicy {
    if (bundleSigners == null
        || attestationSigners == null
        || steps == null
        || vulnerabilities == null
        || provenance == null
        || fingerprint == null
        || fingerprint.isBlank()
        || bundleAttestations == null) {
      throw new IllegalArgumentException("every part of a verification policy is given");
    }
    if (cacheTtl == null || cacheTtl.isNegative() || cacheMaxEntries < 0) {
      throw new IllegalArgumentException("cache ttl and size are not negative");
    }
    if (missingTtl == null || missingTtl.isNegative()) {
      throw new IllegalArgumentException("cache.missingTtl is not negative");
    }
  }
}
