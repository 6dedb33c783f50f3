package dev.tollgate.verifier.signature;

/**
 * Stable codes for signature checks, each with what a person should do about it. Scripts and the
 * decision events match on the name; never rename one.
 */
public enum SignatureReason {
  /** A trusted signer's signature verified for the pinned digest. */
  VERIFIED("Nothing to do."),
  /** No signature was found in any place cosign writes one. */
  SIGNATURE_MISSING(
      "Sign the artifact by digest (cosign sign --key ... <ref>@sha256:...) and push the signature"
          + " to the same repository."),
  /** A signature exists but no trusted key or certificate verifies it. */
  SIGNATURE_INVALID(
      "Sign with a key or identity listed in the trust configuration, or add the signer's public"
          + " key or identity there."),
  /** The signature verified with a key whose validity window starts later. */
  KEY_NOT_YET_VALID("Wait until the key's not-before time, or sign with a key that is valid now."),
  /** The signature verified with a key whose validity window has ended. */
  KEY_EXPIRED("Re-sign with the current key; the old key was rotated out."),
  /** The signed payload names another digest than the one verified. */
  PAYLOAD_DIGEST_MISMATCH(
      "The signature was made for a different manifest (copied from another image or the tag"
          + " moved); sign this digest."),
  /** A keyless certificate's subject (SAN) matches no trusted identity. */
  IDENTITY_MISMATCH(
      "Sign from the workflow or account the trust configuration names, or add this identity."),
  /** A keyless certificate's OIDC issuer matches no trusted identity. */
  ISSUER_MISMATCH(
      "Sign with a token from the OIDC issuer the trust configuration names, or add this issuer."),
  /** Fewer distinct trusted signers than the configured threshold. */
  THRESHOLD_NOT_MET("Collect signatures from more of the trusted signers."),
  /** A signature or bundle could not be parsed. */
  MALFORMED_SIGNATURE("Re-sign with a current cosign or sigstore client."),
  /** A signature in a form this verifier does not check yet; it is never accepted. */
  CHECK_NOT_IMPLEMENTED(
      "Use a key-based cosign signature or a sigstore bundle, which this verifier checks.");

  private final String remediation;

  SignatureReason(String remediation) {
    this.remediation = remediation;
  }

  public String remediation() {
    return remediation;
  }
}
