package dev.tollgate.verifier.signature;

import dev.sigstore.TrustedRootProvider;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.nio.file.Path;
import java.util.Optional;

/** Reads a trust policy's offline trusted root (Fulcio CAs, Rekor and TSA keys) from its file. */
final class TrustedRoots {
  private TrustedRoots() {}

  /** The trusted root when the policy names keyless identities; empty when it trusts keys only. */
  static Optional<SigstoreTrustedRoot> load(TrustPolicy policy) throws TrustException {
    if (!policy.trustsIdentities()) {
      return Optional.empty();
    }
    Path file = policy.trustedRoot().orElseThrow();
    try {
      return Optional.of(TrustedRootProvider.from(file).get());
    } catch (SigstoreConfigurationException e) {
      throw new TrustException(
          TrustException.Reason.TRUSTED_ROOT_INVALID,
          file.toString(),
          "cannot load the trusted root: " + e.getMessage(),
          e);
    }
  }
}
