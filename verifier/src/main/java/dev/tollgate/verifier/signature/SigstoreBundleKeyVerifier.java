package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.oci.Digest;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A sigstore bundle whose verification material is a public key: either a message signature over
 * the artifact's bytes (with the digest the signer computed, which must be the verified digest) or
 * a DSSE envelope (verified as {@link DsseEnvelopeVerifier} does). The key must be one the trust
 * policy names; a key hint in the bundle is only evidence, never trusted.
 */
final class SigstoreBundleKeyVerifier {
  private final TrustPolicy policy;
  private final DsseEnvelopeVerifier envelopes;

  private SigstoreBundleKeyVerifier(TrustPolicy policy) {
    this.policy = policy;
    this.envelopes = DsseEnvelopeVerifier.create(policy);
  }

  static SigstoreBundleKeyVerifier create(TrustPolicy policy) {
    return new SigstoreBundleKeyVerifier(Objects.requireNonNull(policy, "policy"));
  }

  /**
   * The checks of a public-key bundle signed for {@code artifact}: one per distinct trusted key
   * that verifies it, or one failure.
   *
   * @param statement the bundle's in-toto statement when it must name the artifact's digest
   * @param what how messages name the bundle
   * @param untrusted the message when no trusted key verifies the bundle
   */
  List<SignatureCheck> verify(
      SigstoreBundle bundle,
      SignedArtifact artifact,
      Optional<JsonNode> statement,
      Instant now,
      Map<String, String> evidence,
      String what,
      String untrusted) {
    if (bundle.material() != SigstoreBundle.Material.PUBLIC_KEY) {
      throw new IllegalArgumentException("a keyless bundle is verified against the trusted root");
    }
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    bundle.publicKeyHint().ifPresent(h -> ev.put("keyHint", h));
    if (bundle.messageSignature().isPresent()) {
      return List.of(message(bundle.messageSignature().get(), artifact, now, ev, what, untrusted));
    }
    SigstoreBundle.Dsse dsse = bundle.dsse().orElseThrow();
    if (statement.isPresent()
        && envelopes.anyKeyVerifies(dsse)
        && !SigstoreBundle.subjectNames(statement.get(), artifact.digest())) {
      String signer = policy.keysFor(dsse.pae(), dsse.signatures()).get(0).name();
      return List.of(
          SignatureCheck.failed(
              SignatureReason.PAYLOAD_DIGEST_MISMATCH,
              signer,
              "the signed statement's subject does not include the verified digest "
                  + artifact.digest(),
              ev));
    }
    return envelopes.verify(dsse, now, ev, what, untrusted);
  }

  private SignatureCheck message(
      SigstoreBundle.MessageSignature ms,
      SignedArtifact artifact,
      Instant now,
      Map<String, String> evidence,
      String what,
      String untrusted) {
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    if (!"SHA2_256".equals(ms.algorithm())
        || !MessageDigest.isEqual(ms.digest(), artifact.digest().bytes())) {
      ev.put("bundleDigest", ms.algorithm() + ":" + HexFormat.of().formatHex(ms.digest()));
      return SignatureCheck.failed(
          SignatureReason.PAYLOAD_DIGEST_MISMATCH,
          null,
          "the bundle's message digest is not the verified digest " + artifact.digest(),
          ev);
    }
    Optional<TrustedKey> key =
        artifact.bytes().flatMap(bytes -> policy.keyFor(bytes, ms.signature()));
    if (key.isEmpty()) {
      ev.put("keysTried", policy.keyNames());
      return SignatureCheck.failed(SignatureReason.SIGNATURE_INVALID, null, untrusted, ev);
    }
    return policy.judgeKey(key.get(), now, evidence, what);
  }

  /**
   * What a bundle must be about: the verified digest, and the artifact's bytes when a message
   * signature over them can be checked (an attestation bundle is about a digest only).
   */
  record SignedArtifact(Digest digest, Optional<byte[]> bytes) {
    SignedArtifact {
      Objects.requireNonNull(digest, "digest");
      bytes = bytes.map(byte[]::clone);
    }

    @Override
    public Optional<byte[]> bytes() {
      return bytes.map(byte[]::clone);
    }
  }
}
