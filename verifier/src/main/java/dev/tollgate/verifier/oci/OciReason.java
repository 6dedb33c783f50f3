package dev.tollgate.verifier.oci;

/**
 * Stable codes for what went wrong while reading from an OCI source. Scripts match on these; the
 * remediation is what a person should do next.
 */
public enum OciReason {
  /** The reference string is not a valid image reference. */
  INVALID_REFERENCE(false, "Write the reference as registry/repository[:tag][@sha256:<64 hex>]."),
  /** Bytes read do not hash to the digest they were requested by. */
  DIGEST_MISMATCH(
      false,
      "The registry or something between it and us served different content than the digest"
          + " names; do not trust this source until the stored object is repaired or re-pushed."),
  /** A manifest or tag does not exist. */
  MANIFEST_UNKNOWN(false, "Check the repository and tag or digest; push the artifact if missing."),
  /** A blob does not exist. */
  BLOB_UNKNOWN(
      false, "The manifest names a blob the registry does not have; re-push the artifact."),
  /** A manifest or blob is larger than the configured limit. */
  TOO_LARGE(
      false,
      "The object exceeds the configured size limit; raise the limit only if the artifact is"
          + " legitimately that large."),
  /** Bytes that should be a manifest or index are not. */
  MALFORMED_MANIFEST(false, "Re-push the artifact with a valid OCI or Docker v2 manifest."),
  /** The registry refused our credentials or we had none. */
  UNAUTHORIZED(
      false,
      "Provide pull credentials for this registry in the docker config.json the verifier reads."),
  /**
   * The registry did not answer within the time budget of the request or of the verification: a
   * slow or stalling registry (or one trickling a body) cannot hold a verification forever.
   */
  REGISTRY_TIMEOUT(
      true, "Retry later; check the registry's latency, or raise the verification's time budget."),
  /**
   * The registry redirected somewhere we do not follow: a scheme other than http(s), a downgrade
   * from https, or an address on loopback or link-local networks that the registry is not on.
   */
  REDIRECT_REFUSED(
      false,
      "Serve blobs and manifests from http(s) locations the verifier may reach; a redirect into"
          + " the verifier's own host or the cloud metadata network is never followed."),
  /** The registry kept failing (5xx, 429 beyond the retry budget, connection errors). */
  REGISTRY_UNAVAILABLE(true, "Retry later; check the registry's health and rate limits."),
  /** TLS failed: the registry's certificate is not trusted or the handshake broke. */
  TLS_FAILURE(
      false,
      "Configure the registry's CA certificate (trustedCertificates) or fix the registry's"
          + " certificate."),
  /** The registry answered with something the distribution spec does not allow. */
  PROTOCOL_ERROR(false, "Check that the endpoint is an OCI distribution registry."),
  /** An OCI image layout directory is unreadable or malformed. */
  LAYOUT_INVALID(false, "Recreate the OCI image layout (oci-layout, index.json, blobs/sha256).");

  private final boolean transientFailure;
  private final String remediation;

  OciReason(boolean transientFailure, String remediation) {
    this.transientFailure = transientFailure;
    this.remediation = remediation;
  }

  /** Whether retrying later may succeed; transient results are never cached and never admit. */
  public boolean isTransient() {
    return transientFailure;
  }

  /** What a person should do about it. */
  public String remediation() {
    return remediation;
  }
}
