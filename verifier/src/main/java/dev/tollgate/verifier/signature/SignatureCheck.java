package dev.tollgate.verifier.signature;

import java.util.Map;
import java.util.Optional;

/**
 * One signature examined: whether it counts towards the threshold, why (a stable code), which
 * signer, and the evidence (digest, layer or bundle, key name, certificate identity). Sealed so
 * that a passing check always names its signer and a failing one can never carry {@code VERIFIED}.
 */
public sealed interface SignatureCheck permits SignatureCheck.Passed, SignatureCheck.Failed {

  /** Whether this signature counts towards the threshold. */
  boolean passed();

  /** The stable code; {@link SignatureReason#VERIFIED} exactly when passed. */
  SignatureReason reason();

  /** The trust-configuration name of the key or identity, when one was involved. */
  Optional<String> signer();

  String message();

  Map<String, String> evidence();

  /** What to do about it. */
  default String remediation() {
    return reason().remediation();
  }

  /** A trusted signer's signature verified and the signer was trusted at the time of checking. */
  record Passed(String trustedSigner, String message, Map<String, String> evidence)
      implements SignatureCheck {
    public Passed {
      if (trustedSigner == null || trustedSigner.isBlank() || message == null) {
        throw new IllegalArgumentException("a passed check names its signer and says why");
      }
      evidence = Map.copyOf(evidence);
    }

    @Override
    public boolean passed() {
      return true;
    }

    @Override
    public SignatureReason reason() {
      return SignatureReason.VERIFIED;
    }

    @Override
    public Optional<String> signer() {
      return Optional.of(trustedSigner);
    }
  }

  /** A signature that does not count, and why. */
  record Failed(
      SignatureReason reason, Optional<String> signer, String message, Map<String, String> evidence)
      implements SignatureCheck {
    public Failed {
      if (reason == null
          || reason == SignatureReason.VERIFIED
          || signer == null
          || message == null) {
        throw new IllegalArgumentException("a failed check has a reason other than VERIFIED");
      }
      evidence = Map.copyOf(evidence);
    }

    @Override
    public boolean passed() {
      return false;
    }
  }

  static SignatureCheck passed(String signer, String message, Map<String, String> evidence) {
    return new Passed(signer, message, evidence);
  }

  /**
   * @param signer the key or identity involved, or null when none was
   */
  static SignatureCheck failed(
      SignatureReason reason, String signer, String message, Map<String, String> evidence) {
    return new Failed(reason, Optional.ofNullable(signer), message, evidence);
  }
}
