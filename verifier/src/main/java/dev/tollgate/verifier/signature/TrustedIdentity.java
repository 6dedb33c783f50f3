package dev.tollgate.verifier.signature;

/**
 * A named keyless signer: the Fulcio certificate's subject alternative name and OIDC issuer must
 * both match, within the validity window.
 */
public record TrustedIdentity(
    String name, StringMatch subject, StringMatch issuer, Validity validity) {
  public TrustedIdentity {
    if (name == null || name.isBlank() || subject == null || issuer == null || validity == null) {
      throw new IllegalArgumentException(
          "a trusted identity has a name, subject and issuer matchers and a validity");
    }
  }
}
