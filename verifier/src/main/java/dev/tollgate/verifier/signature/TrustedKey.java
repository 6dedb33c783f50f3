package dev.tollgate.verifier.signature;

import java.security.PublicKey;

/** A named public key the trust configuration accepts signatures from, within its validity. */
public record TrustedKey(String name, PublicKey key, Validity validity) {
  public TrustedKey {
    if (name == null || name.isBlank() || key == null || validity == null) {
      throw new IllegalArgumentException("a trusted key has a name, a key and a validity");
    }
  }

  /** A key from PEM text. */
  public static TrustedKey fromPem(String name, String pem, Validity validity)
      throws TrustException {
    return new TrustedKey(name, PublicKeys.fromPem(name, pem), validity);
  }

  /** SHA-256 of the key's SubjectPublicKeyInfo, for evidence. */
  public String fingerprint() {
    return PublicKeys.fingerprint(key);
  }
}
