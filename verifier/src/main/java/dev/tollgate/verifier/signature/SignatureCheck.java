package dev.tollgate.verifier.signature;

import java.util.Map;
import java.util.Optional;

/**
 * One signature examined: whether it counts towards the threshold, why (a stable code), which
 * signer, and the evidence (digest, layer or bundle, key name, certificate identity).
 *
 * @param signer the trust-configuration name of the key or identity, when one was involved
 */
public record SignatureCheck(
    boolean passed,
    SignatureReason reason,
    Optional<String> signer,
    String message,
    Map<String, String> evidence) {

  public SignatureCheck {
    if (reason == null || message == null || signer == null) {
      throw new IllegalArgumentException("a check has a reason, a message and a signer option");
    }
    if (passed != (reason == SignatureReason.VERIFIED)) {
      throw new IllegalArgumentException("only VERIFIED passes");
    }
    evidence = Map.copyOf(evidence);
  }

  static SignatureCheck passed(String signer, String message, Map<String, String> evidence) {
    return new SignatureCheck(
        true, SignatureReason.VERIFIED, Optional.of(signer), message, evidence);
  }

  static SignatureCheck failed(
      SignatureReason reason, String signer, String message, Map<String, String> evidence) {
    return new SignatureCheck(false, reason, Optional.ofNullable(signer), message, evidence);
  }

  /** What to do about it. */
  public String remediation() {
    return reason.remediation();
  }
}
