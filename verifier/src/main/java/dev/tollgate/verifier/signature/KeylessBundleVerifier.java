package dev.tollgate.verifier.signature;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Keyless (Fulcio certificate) bundle verification with sigstore-java against a trusted root file:
 * certificate chain to a trusted CA, signed certificate timestamp, transparency-log inclusion and
 * signed timestamps, all offline. Identity matching is done by the caller, so that a wrong subject
 * and a wrong issuer are reported as different reasons.
 */
final class KeylessBundleVerifier {
  private final KeylessVerifier verifier;
  private final LegacyKeylessVerifier legacy;

  private KeylessBundleVerifier(KeylessVerifier verifier, LegacyKeylessVerifier legacy) {
    this.verifier = verifier;
    this.legacy = legacy;
  }

  /** Reads the trusted root once; bundles and cosign's legacy keyless layers share it. */
  static KeylessBundleVerifier load(Path trustedRoot) throws TrustException {
    try {
      SigstoreTrustedRoot root = TrustedRootProvider.from(trustedRoot).get();
      KeylessVerifier verifier = KeylessVerifier.builder().trustedRootProvider(() -> root).build();
      return new KeylessBundleVerifier(verifier, LegacyKeylessVerifier.create(root));
    } catch (SigstoreConfigurationException | GeneralSecurityException e) {
      throw new TrustException(
          TrustException.Reason.TRUSTED_ROOT_INVALID,
          trustedRoot.toString(),
          "cannot load the trusted root: " + e.getMessage(),
          e);
    }
  }

  /**
   * Verifies the bundle for the artifact with this SHA-256 digest (sigstore-java's byte[] overload
   * takes the digest, not the content) and returns the verified signing certificate.
   */
  X509Certificate verify(byte[] artifactSha256, byte[] bundleJson)
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
    verifier.verify(artifactSha256, bundle, VerificationOptions.empty());
    List<? extends Certificate> chain = bundle.getCertPath().getCertificates();
    if (chain.isEmpty() || !(chain.get(0) instanceof X509Certificate)) {
      throw new MalformedSignatureException("bundle has no X.509 signing certificate");
    }
    return (X509Certificate) chain.get(0);
  }

  /** The verifier of cosign's legacy keyless {@code .sig}/{@code .att} layers. */
  LegacyKeylessVerifier legacy() {
    return legacy;
  }
}
