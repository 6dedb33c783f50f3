package dev.tollgate.verifier.oci;

import java.util.List;
import java.util.Optional;

/**
 * What is attached to one manifest digest, from every place cosign writes: the legacy {@code
 * sha256-<hex>.sig} and {@code .att} tags, and OCI 1.1 referrers (from the referrers API or the
 * {@code sha256-<hex>} fallback tag index).
 *
 * @param referrers descriptors as listed; each must still be fetched by digest and its subject
 *     checked, which {@link ArtifactDiscovery#sigstoreBundles} does
 */
public record Attachments(
    Repository repository,
    Digest subject,
    Optional<Manifest> legacySignatures,
    Optional<Manifest> legacyAttestations,
    List<Descriptor> referrers,
    ReferrerSource referrerSource) {

  public Attachments {
    referrers = List.copyOf(referrers);
  }

  /** Where the referrers list came from. */
  public enum ReferrerSource {
    /** {@code GET /v2/<name>/referrers/<digest>} (OCI distribution 1.1). */
    REFERRERS_API,
    /** The {@code sha256-<hex>} tag index, for registries without the API. */
    FALLBACK_TAG
  }
}
