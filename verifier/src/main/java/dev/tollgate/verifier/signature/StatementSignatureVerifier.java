package dev.tollgate.verifier.signature;

import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.tollgate.verifier.oci.Digest;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Says who signed a DSSE envelope carrying an in-toto statement, wherever cosign stored it, by
 * handing it to the verifier of its format: a bare envelope in a legacy {@code .att} layer ({@link
 * DsseEnvelopeVerifier}, or {@link LegacyKeylessVerifier} when the layer carries a Fulcio
 * certificate), or a sigstore bundle with DSSE content ({@link SigstoreBundleKeyVerifier}, {@link
 * SigstoreBundleKeylessVerifier}). What the statement says is the attestation package's business.
 */
public final class StatementSignatureVerifier {
  private final TrustPolicy policy;
  private final DsseEnvelopeVerifier envelopes;
  private final LegacyKeylessVerifier legacyKeyless;
  private final SigstoreBundleKeyVerifier keyBundles;
  private final SigstoreBundleKeylessVerifier keylessBundles;

  private StatementSignatureVerifier(TrustPolicy policy, Optional<SigstoreTrustedRoot> root)
      throws TrustException {
    this.policy = policy;
    this.envelopes = DsseEnvelopeVerifier.create(policy);
    this.legacyKeyless = LegacyKeylessVerifier.create(policy, root);
    this.keyBundles = SigstoreBundleKeyVerifier.create(policy);
    this.keylessBundles = SigstoreBundleKeylessVerifier.create(policy, root);
  }

  /** Loads the trusted root (if the policy has keyless identities) once, here. */
  public static StatementSignatureVerifier create(TrustPolicy policy) throws TrustException {
    return new StatementSignatureVerifier(policy, TrustedRoots.load(policy));
  }

  /**
   * A DSSE payload and the checks of its signatures: one per distinct trusted signer whose
   * signature verified, or one failure. The payload is returned also when no check passed, so that
   * callers can say what an untrusted statement claimed; only a passed check may be acted on.
   */
  public record SignedPayload(List<SignatureCheck> checks, String payloadType, byte[] payload) {
    public SignedPayload {
      checks = List.copyOf(checks);
      if (checks.isEmpty() || payloadType == null) {
        throw new IllegalArgumentException("a signed payload has its type and at least one check");
      }
      payload = payload.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    /** The distinct trusted signers whose signatures passed. */
    public Set<String> trustedSigners() {
      Set<String> out = new LinkedHashSet<>();
      checks.stream().filter(SignatureCheck::passed).forEach(c -> out.add(c.signer().get()));
      return Set.copyOf(out);
    }

    /** The first check that failed, when none passed: why the payload is not trusted. */
    public Optional<SignatureCheck> untrusted() {
      return checks.stream().anyMatch(SignatureCheck::passed)
          ? Optional.empty()
          : Optional.of(checks.get(0));
    }
  }

  /**
   * A DSSE envelope as cosign writes it into a legacy {@code .att} layer, with that layer's
   * annotations: with a Fulcio certificate among them (and no trusted key verifying it), a keyless
   * attestation.
   */
  public SignedPayload verifyEnvelope(
      byte[] envelopeJson,
      Map<String, String> layerAnnotations,
      Instant now,
      Map<String, String> evidence)
      throws MalformedSignatureException {
    SigstoreBundle.Dsse dsse = SigstoreBundle.envelope(envelopeJson);
    List<SignatureCheck> checks;
    if (!dsse.signatures().isEmpty()
        && LegacyKeylessVerifier.isKeyless(layerAnnotations)
        && !envelopes.anyKeyVerifies(dsse)) {
      checks =
          List.of(
              legacyKeyless.verify(
                  layerAnnotations,
                  new LegacyKeylessVerifier.Signed.Envelope(dsse),
                  now,
                  evidence));
    } else {
      checks =
          envelopes.verify(
              dsse,
              now,
              evidence,
              "legacy .att attestation",
              "no trusted attestation key verifies the DSSE envelope");
    }
    return new SignedPayload(checks, dsse.payloadType(), dsse.payload());
  }

  /**
   * A sigstore bundle whose content is a DSSE envelope, about {@code subject} (sigstore-java checks
   * the statement's subject against it for keyless bundles).
   *
   * @return empty when the bundle is not a DSSE bundle (a message signature is no attestation)
   */
  public Optional<SignedPayload> verifyBundle(
      byte[] bundleJson, Digest subject, Instant now, Map<String, String> evidence)
      throws MalformedSignatureException {
    SigstoreBundle bundle = SigstoreBundle.parse(bundleJson);
    if (bundle.dsse().isEmpty()) {
      return Optional.empty();
    }
    SigstoreBundle.Dsse dsse = bundle.dsse().get();
    List<SignatureCheck> checks =
        bundle.material() == SigstoreBundle.Material.PUBLIC_KEY
            ? keyBundles.verify(
                bundle,
                new SigstoreBundleKeyVerifier.SignedArtifact(subject, Optional.empty()),
                Optional.empty(),
                now,
                evidence,
                "sigstore attestation bundle",
                "no trusted attestation key verifies the sigstore bundle")
            : List.of(
                keylessBundles.verify(
                    bundleJson,
                    subject,
                    Optional.empty(),
                    SigstoreBundleKeylessVerifier.Role.ATTESTATION,
                    now,
                    evidence));
    return Optional.of(new SignedPayload(checks, dsse.payloadType(), dsse.payload()));
  }

  /** Whether these distinct trusted signers of one statement meet the attestation threshold. */
  public boolean thresholdMet(Set<String> signers) {
    return policy.thresholdMet(signers);
  }

  /** How a statement's shortfall of signers reads in a report. */
  public String shortfall(Set<String> signers, String statement) {
    return policy.shortfall(signers, statement);
  }
}
