package dev.tollgate.verifier.signature;

import dev.tollgate.verifier.oci.Digest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * cosign's simple-signing signature made with a key: a legacy {@code sha256-<hex>.sig} layer whose
 * payload names the image digest and whose {@code dev.cosignproject.cosign/signature} annotation
 * signs the payload bytes. Counts when a trusted key verifies it, the payload names the verified
 * digest, and the key is trusted now.
 */
final class SimpleSigningVerifier {
  private final TrustPolicy policy;

  private SimpleSigningVerifier(TrustPolicy policy) {
    this.policy = policy;
  }

  static SimpleSigningVerifier create(TrustPolicy policy) {
    return new SimpleSigningVerifier(Objects.requireNonNull(policy, "policy"));
  }

  /** Whether any trusted key verifies the signature (a keyless layer is verified elsewhere). */
  boolean anyKeyVerifies(SimpleSigningSignature signature) {
    return policy.keyFor(signature.payload(), signature.signature()).isPresent();
  }

  SignatureCheck verify(
      SimpleSigningSignature signature, Instant now, Map<String, String> evidence) {
    Optional<TrustedKey> key = policy.keyFor(signature.payload(), signature.signature());
    if (key.isEmpty()) {
      Map<String, String> ev = new LinkedHashMap<>(evidence);
      ev.put("keysTried", policy.keyNames());
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "no trusted key verifies the signature in layer " + signature.layer(),
          ev);
    }
    TrustedKey k = key.get();
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    ev.put("key", k.name());
    ev.put("keyFingerprint", k.fingerprint());
    Optional<SignatureCheck> wrongPayload =
        SimpleSigningPayload.mismatch(signature.payload(), signature.subject(), k.name(), ev);
    if (wrongPayload.isPresent()) {
      return wrongPayload.get();
    }
    return policy.judgeKey(k, now, evidence, "legacy .sig signature");
  }

  /**
   * One {@code .sig} layer read: the subject digest it must be about, the layer's digest, the
   * simple-signing payload and the decoded signature.
   */
  record SimpleSigningSignature(Digest subject, Digest layer, byte[] payload, byte[] signature) {
    SimpleSigningSignature {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(layer, "layer");
      if (payload == null || signature == null || signature.length == 0) {
        throw new IllegalArgumentException("a simple-signing signature has a payload and bytes");
      }
      payload = payload.clone();
      signature = signature.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }
}
