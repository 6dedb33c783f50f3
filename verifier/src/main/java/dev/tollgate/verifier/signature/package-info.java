/**
 * Who signed an artifact or an attestation, and whether that signer is trusted: <b>trust only what
 * a trusted signer signed for exactly this digest</b> (threat model: "the verifier admits only what
 * it pinned"; "every check fails closed").
 *
 * <p>One class per signature format establishes what a signature proves cryptographically: {@link
 * dev.tollgate.verifier.signature.SimpleSigningVerifier} (cosign {@code .sig} with a key), {@link
 * dev.tollgate.verifier.signature.LegacyKeylessVerifier} (cosign {@code .sig}/{@code .att} with a
 * Fulcio certificate and Rekor entry), {@link
 * dev.tollgate.verifier.signature.SigstoreBundleKeyVerifier} and {@link
 * dev.tollgate.verifier.signature.SigstoreBundleKeylessVerifier} (sigstore bundles v0.3), {@link
 * dev.tollgate.verifier.signature.DsseEnvelopeVerifier} (DSSE statements). Whether the key or
 * certificate identity is trusted, trusted now, and whether enough distinct signers signed, is
 * judged in one place: {@link dev.tollgate.verifier.signature.TrustPolicy}. Nothing is fetched over
 * the network for trust: keyless verification uses an offline trusted root.
 */
package dev.tollgate.verifier.signature;
