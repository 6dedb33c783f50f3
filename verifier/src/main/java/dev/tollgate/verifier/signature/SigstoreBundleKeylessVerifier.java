package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.tollgate.verifier.oci.Digest;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A keyless sigstore bundle (Fulcio certificate): verified with sigstore-java against the offline
 * trusted root (certificate chain to a trusted CA, signed certificate timestamp, transparency-log
 * inclusion and signed timestamps), then the trust policy judges the certificate's identity, so
 * that a wrong subject and a wrong issuer are reported as different reasons.
 */
final class SigstoreBundleKeylessVerifier {
  private final TrustPolicy policy;
  private final Optional<KeylessVerifier> verifier;

  private SigstoreBundleKeylessVerifier(TrustPolicy policy, Optional<KeylessVerifier> verifier) {
    this.policy = policy;
    this.verifier = verifier;
  }

  /**
   * A verifier for {@code policy}; {@code trustedRoot} is present exactly when the policy names
   * keyless identities (without one, every keyless bundle fails as untrusted).
   */
  static SigstoreBundleKeylessVerifier create(
      TrustPolicy policy, Optional<SigstoreTrustedRoot> trustedRoot) throws TrustException {
    Objects.requireNonNull(policy, "policy");
    if (policy.trustsIdentities() != trustedRoot.isPresent()) {
      throw new IllegalArgumentException("a trusted root exactly when identities are trusted");
    }
    if (trustedRoot.isEmpty()) {
      return new SigstoreBundleKeylessVerifier(policy, Optional.empty());
    }
    SigstoreTrustedRoot root = trustedRoot.get();
    try {
      return new SigstoreBundleKeylessVerifier(
          policy, Optional.of(KeylessVerifier.builder().trustedRootProvider(() -> root).build()));
    } catch (GeneralSecurityException | SigstoreConfigurationException e) {
      throw new TrustException(
          TrustException.Reason.TRUSTED_ROOT_INVALID,
          policy.trustedRoot().map(Object::toString).orElse(""),
          "cannot load the trusted root: " + e.getMessage(),
          e);
    }
  }

  /**
   * Verifies the bundle for the artifact with {@code digest}, then asks the trust policy about the
   * certificate's identity.
   *
   * @param statement the bundle's in-toto statement when it must name {@code digest}
   * @param role whether the bundle is read as the artifact's signature or as an attestation
   */
  SignatureCheck verify(
      byte[] bundleJson,
      Digest digest,
      Optional<JsonNode> statement,
      Role role,
      Instant now,
      Map<String, String> evidence)
      throws MalformedSignatureException {
    if (verifier.isEmpty()) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          role.what + ", but the " + role.policy + " names no keyless identity",
          evidence);
    }
    X509Certificate cert;
    try {
      cert = certificate(bundleJson, digest);
    } catch (KeylessVerificationException e) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          role.what + " does not verify against the trusted root: " + e.getMessage(),
          evidence);
    }
    if (statement.isPresent() && !SigstoreBundle.subjectNames(statement.get(), digest)) {
      return SignatureCheck.failed(
          SignatureReason.PAYLOAD_DIGEST_MISMATCH,
          null,
          "the signed statement's subject does not include " + digest,
          evidence);
    }
    return policy.judgeCertificate(cert, now, evidence, role.noun, role.what);
  }

  /** What the bundle is read as, and how messages name it. */
  enum Role {
    SIGNATURE("keyless bundle", "certificate", "trust policy"),
    ATTESTATION("keyless attestation", "attestation certificate", "attestation trust policy");

    private final String what;
    private final String noun;
    private final String policy;

    Role(String what, String noun, String policy) {
      this.what = what;
      this.noun = noun;
      this.policy = policy;
    }
  }

  /**
   * The verified signing certificate (sigstore-java's byte[] overload takes the artifact's SHA-256
   * digest, not its content).
   */
  private X509Certificate certificate(byte[] bundleJson, Digest digest)
      throws MalformedSignatureException, KeylessVerificationException {
    Bundle bundle;
    try (Reader reader =
        new InputStreamReader(new ByteArrayInputStream(bundleJson), StandardCharsets.UTF_8)) {
      bundle = Bundle.from(reader);
    } catch (BundleParseException e) {
      throw new MalformedSignatureException(
          "sigstore-java cannot parse the bundle: " + e.getMessage());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("reading a byte array cannot fail", e);
    }
    verifier.orElseThrow().verify(digest.bytes(), bundle, VerificationOptions.empty());
    List<? extends Certificate> chain = bundle.getCertPath().getCertificates();
    if (chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
      throw new MalformedSignatureException("bundle has no X.509 signing certificate");
    }
    return leaf;
  }
}
