package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sigstore.KeylessVerificationException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.verifier.oci.Digest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Verifies who signed a DSSE envelope carrying an in-toto statement, wherever cosign stored it: a
 * bare envelope in a legacy {@code .att} layer (checked with the trusted keys, JDK crypto), or a
 * sigstore bundle with DSSE content (public key: JDK crypto; certificate: sigstore-java against the
 * offline trusted root, then identity and issuer matching). What the statement says is the
 * attestation package's business; this class only says whose signature it carries.
 */
public final class StatementSignatureVerifier {
  private final TrustPolicy policy;
  private final Optional<KeylessBundleVerifier> keyless;

  private StatementSignatureVerifier(TrustPolicy policy, Optional<KeylessBundleVerifier> keyless) {
    this.policy = policy;
    this.keyless = keyless;
  }

  /** Loads the trusted root (if the policy has keyless identities) once, here. */
  public static StatementSignatureVerifier create(TrustPolicy policy) throws TrustException {
    Optional<KeylessBundleVerifier> keyless = Optional.empty();
    if (!policy.identities().isEmpty()) {
      keyless = Optional.of(KeylessBundleVerifier.load(policy.trustedRoot().orElseThrow()));
    }
    return new StatementSignatureVerifier(policy, keyless);
  }

  /**
   * A DSSE payload and the check of its signature. The payload is returned also when the check
   * failed, so that callers can say what an untrusted statement claimed; only a passed check may be
   * acted on.
   */
  public record SignedPayload(SignatureCheck check, String payloadType, byte[] payload) {
    public SignedPayload {
      payload = payload.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }
  }

  /**
   * A DSSE envelope as cosign writes it into a legacy {@code .att} layer, with that layer's
   * annotations: with a Fulcio certificate among them, a keyless attestation (chain, SCT, Rekor SET
   * and integrated time against the offline trusted root, then identity).
   */
  public SignedPayload verifyEnvelope(
      byte[] envelopeJson,
      Map<String, String> layerAnnotations,
      Instant now,
      Map<String, String> evidence)
      throws MalformedSignatureException {
    return verifyEnvelope(
        envelopeJson,
        layerAnnotations.containsKey(LegacyKeylessVerifier.CERTIFICATE),
        layerAnnotations,
        now,
        evidence);
  }

  /**
   * A DSSE envelope as cosign writes it into a legacy {@code .att} layer, without its annotations:
   * a keyless envelope cannot be verified this way and does not count.
   */
  public SignedPayload verifyEnvelope(
      byte[] envelopeJson, boolean hasCertificate, Instant now, Map<String, String> evidence)
      throws MalformedSignatureException {
    return verifyEnvelope(envelopeJson, hasCertificate, Map.of(), now, evidence);
  }

  private SignedPayload verifyEnvelope(
      byte[] envelopeJson,
      boolean hasCertificate,
      Map<String, String> annotations,
      Instant now,
      Map<String, String> evidence)
      throws MalformedSignatureException {
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    JsonNode env;
    try {
      env = Json.readTree(envelopeJson);
    } catch (MalformedJsonException e) {
      throw new MalformedSignatureException("DSSE envelope is not JSON: " + e.getMessage());
    }
    if (!env.path("payloadType").isTextual() || !env.path("payload").isTextual()) {
      throw new MalformedSignatureException("DSSE envelope without payloadType or payload");
    }
    List<byte[]> sigs = new ArrayList<>();
    for (JsonNode s : env.path("signatures")) {
      sigs.add(base64(s.path("sig"), "signatures.sig"));
    }
    SigstoreBundle.Dsse dsse =
        new SigstoreBundle.Dsse(
            env.get("payloadType").asText(), base64(env.get("payload"), "payload"), sigs);
    if (sigs.isEmpty()) {
      return new SignedPayload(
          SignatureCheck.failed(
              SignatureReason.SIGNATURE_MISSING, null, "DSSE envelope has no signatures", ev),
          dsse.payloadType(),
          dsse.payload());
    }
    Optional<TrustedKey> key = findKey(dsse);
    if (key.isEmpty()) {
      if (hasCertificate) {
        return new SignedPayload(
            checkLegacyKeyless(dsse, annotations, now, ev), dsse.payloadType(), dsse.payload());
      }
      ev.put("keysTried", keyNames());
      return new SignedPayload(
          SignatureCheck.failed(
              SignatureReason.SIGNATURE_INVALID,
              null,
              "no trusted attestation key verifies the DSSE envelope",
              ev),
          dsse.payloadType(),
          dsse.payload());
    }
    TrustedKey k = key.get();
    ev.put("key", k.name());
    ev.put("keyFingerprint", k.fingerprint());
    return new SignedPayload(
        ImageSignatureVerifier.withinValidity(
            k.name(), k.validity(), now, "key", ev, "legacy .att attestation"),
        dsse.payloadType(),
        dsse.payload());
  }

  /**
   * A sigstore bundle whose content is a DSSE envelope; {@code subject} is the artifact the
   * statement must be about (sigstore-java checks the statement's subject against it for keyless
   * bundles).
   *
   * @return empty when the bundle is not a DSSE bundle (a message signature is no attestation)
   */
  public Optional<SignedPayload> verifyBundle(
      byte[] bundleJson, Digest subject, Instant now, Map<String, String> evidence)
      throws MalformedSignatureException {
    Map<String, String> ev = new LinkedHashMap<>(evidence);
    SigstoreBundle bundle = SigstoreBundle.parse(bundleJson);
    if (bundle.dsse().isEmpty()) {
      return Optional.empty();
    }
    SigstoreBundle.Dsse dsse = bundle.dsse().get();
    if (bundle.material() == SigstoreBundle.Material.PUBLIC_KEY) {
      Optional<TrustedKey> key = findKey(dsse);
      if (key.isEmpty()) {
        ev.put("keysTried", keyNames());
        bundle.publicKeyHint().ifPresent(h -> ev.put("keyHint", h));
        return Optional.of(
            new SignedPayload(
                SignatureCheck.failed(
                    SignatureReason.SIGNATURE_INVALID,
                    null,
                    "no trusted attestation key verifies the sigstore bundle",
                    ev),
                dsse.payloadType(),
                dsse.payload()));
      }
      TrustedKey k = key.get();
      ev.put("key", k.name());
      ev.put("keyFingerprint", k.fingerprint());
      return Optional.of(
          new SignedPayload(
              ImageSignatureVerifier.withinValidity(
                  k.name(), k.validity(), now, "key", ev, "sigstore attestation bundle"),
              dsse.payloadType(),
              dsse.payload()));
    }
    return Optional.of(
        new SignedPayload(
            checkKeyless(bundleJson, subject, now, ev), dsse.payloadType(), dsse.payload()));
  }

  private SignatureCheck checkKeyless(
      byte[] bundleJson, Digest subject, Instant now, Map<String, String> ev)
      throws MalformedSignatureException {
    if (keyless.isEmpty()) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless attestation, but the attestation trust policy names no keyless identity",
          ev);
    }
    X509Certificate cert;
    try {
      cert = keyless.get().verify(subject.bytes(), bundleJson);
    } catch (KeylessVerificationException e) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless attestation does not verify against the trusted root: " + e.getMessage(),
          ev);
    }
    return ImageSignatureVerifier.trustedIdentity(
        cert, policy, now, ev, "attestation certificate", "keyless attestation");
  }

  private SignatureCheck checkLegacyKeyless(
      SigstoreBundle.Dsse dsse,
      Map<String, String> annotations,
      Instant now,
      Map<String, String> ev)
      throws MalformedSignatureException {
    if (!annotations.containsKey(LegacyKeylessVerifier.CERTIFICATE)) {
      return SignatureCheck.failed(
          SignatureReason.CHECK_NOT_IMPLEMENTED,
          null,
          "keyless legacy .att attestation read without its layer annotations; it does not count",
          ev);
    }
    if (keyless.isEmpty()) {
      ev.put("keysTried", keyNames());
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless attestation, but the attestation trust policy names no keyless identity (and"
              + " no key verifies it)",
          ev);
    }
    if (dsse.signatures().size() != 1) {
      throw new MalformedSignatureException(
          "a keyless .att envelope carries exactly one signature, not " + dsse.signatures().size());
    }
    X509Certificate cert;
    try {
      cert =
          keyless
              .get()
              .legacy()
              .verify(
                  annotations,
                  LegacyKeylessVerifier.Kind.DSSE,
                  dsse.pae(),
                  dsse.payload(),
                  dsse.signatures().get(0),
                  ev);
    } catch (LegacyKeylessVerifier.InvalidException e) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless attestation does not verify against the trusted root: " + e.getMessage(),
          ev);
    }
    return ImageSignatureVerifier.trustedIdentity(
        cert, policy, now, ev, "attestation certificate", "keyless legacy .att attestation");
  }

  private Optional<TrustedKey> findKey(SigstoreBundle.Dsse dsse) {
    byte[] pae = dsse.pae();
    for (byte[] sig : dsse.signatures()) {
      for (TrustedKey key : policy.keys()) {
        if (SignatureAlgorithms.verify(key.key(), pae, sig)) {
          return Optional.of(key);
        }
      }
    }
    return Optional.empty();
  }

  private String keyNames() {
    return String.join(",", policy.keys().stream().map(TrustedKey::name).toList());
  }

  private static byte[] base64(JsonNode node, String what) throws MalformedSignatureException {
    if (node == null || !node.isTextual()) {
      throw new MalformedSignatureException("DSSE " + what + " is missing");
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new MalformedSignatureException("DSSE " + what + " is not base64");
    }
  }
}
