package dev.tollgate.verifier.signature;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A DSSE envelope signed with keys, wherever it is stored (a legacy {@code .att} layer, or the
 * content of a sigstore bundle with a public key): each signature is over the pre-authentication
 * encoding of the payload. One envelope may carry a signature of each of several signers; every
 * distinct trusted key that verifies one is judged, so they can count towards a threshold.
 */
final class DsseEnvelopeVerifier {
  private final TrustPolicy policy;

  private DsseEnvelopeVerifier(TrustPolicy policy) {
    this.policy = policy;
  }

  static DsseEnvelopeVerifier create(TrustPolicy policy) {
    return new DsseEnvelopeVerifier(Objects.requireNonNull(policy, "policy"));
  }

  /** Whether any trusted key verifies one of the envelope's signatures. */
  boolean anyKeyVerifies(SigstoreBundle.Dsse dsse) {
    return !policy.keysFor(dsse.pae(), dsse.signatures()).isEmpty();
  }

  /**
   * One check per distinct trusted key that verifies a signature (judged for validity now), or a
   * single failed check when none does.
   *
   * @param what how messages name the signed thing
   * @param untrusted the message when no trusted key verifies the envelope
   */
  List<SignatureCheck> verify(
      SigstoreBundle.Dsse dsse,
      Instant now,
      Map<String, String> evidence,
      String what,
      String untrusted) {
    if (dsse.signatures().isEmpty()) {
      return List.of(
          SignatureCheck.failed(
              SignatureReason.SIGNATURE_MISSING,
              null,
              "DSSE envelope has no signatures",
              evidence));
    }
    List<TrustedKey> keys = policy.keysFor(dsse.pae(), dsse.signatures());
    if (keys.isEmpty()) {
      Map<String, String> ev = new LinkedHashMap<>(evidence);
      ev.put("keysTried", policy.keyNames());
      return List.of(SignatureCheck.failed(SignatureReason.SIGNATURE_INVALID, null, untrusted, ev));
    }
    List<SignatureCheck> checks = new ArrayList<>();
    for (TrustedKey key : keys) {
      checks.add(policy.judgeKey(key, now, evidence, what));
    }
    return List.copyOf(checks);
  }
}
