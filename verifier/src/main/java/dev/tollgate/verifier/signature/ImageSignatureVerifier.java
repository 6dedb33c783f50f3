package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.tollgate.verifier.oci.ArtifactDiscovery;
import dev.tollgate.verifier.oci.Attachments;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.Manifest;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.oci.SigstoreBundleArtifact;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether an artifact is signed by enough trusted signers. Resolves the reference once,
 * then works on that digest only: finds cosign legacy {@code .sig} signatures and sigstore bundle
 * referrers, hands each to the verifier of its format ({@link SimpleSigningVerifier}, {@link
 * LegacyKeylessVerifier}, {@link SigstoreBundleKeyVerifier}, {@link
 * SigstoreBundleKeylessVerifier}), and returns a report whose {@link SignatureReport#pinned()}
 * reference is what may run. The threshold is the {@link TrustPolicy}'s judgement.
 *
 * <p>Failures of the source (registry down, digest mismatch) are thrown, never turned into an
 * admit; problems with individual signatures are failed checks in the report.
 */
public final class ImageSignatureVerifier {
  static final String COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";

  /** The predicate cosign v3 uses when it signs an image as a DSSE statement. */
  static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

  private static final int MAX_SIGNATURE_LAYERS = 64;

  private final OciSource source;
  private final ArtifactDiscovery discovery;
  private final TrustPolicy policy;
  private final Clock clock;
  private final SimpleSigningVerifier simpleSigning;
  private final LegacyKeylessVerifier legacyKeyless;
  private final SigstoreBundleKeyVerifier keyBundles;
  private final SigstoreBundleKeylessVerifier keylessBundles;

  private ImageSignatureVerifier(
      OciSource source,
      ArtifactDiscovery discovery,
      TrustPolicy policy,
      Optional<SigstoreTrustedRoot> root,
      Clock clock)
      throws TrustException {
    this.source = source;
    this.discovery = discovery;
    this.policy = policy;
    this.clock = clock;
    this.simpleSigning = SimpleSigningVerifier.create(policy);
    this.legacyKeyless = LegacyKeylessVerifier.create(policy, root);
    this.keyBundles = SigstoreBundleKeyVerifier.create(policy);
    this.keylessBundles = SigstoreBundleKeylessVerifier.create(policy, root);
  }

  /**
   * Loads the trusted root (if the policy has keyless identities) once, here; {@code discovery}
   * finds the signatures (and runs its registry lookups on its executor).
   */
  public static ImageSignatureVerifier create(
      OciSource source, ArtifactDiscovery discovery, TrustPolicy policy, Clock clock)
      throws TrustException {
    return new ImageSignatureVerifier(source, discovery, policy, TrustedRoots.load(policy), clock);
  }

  /** As above, with discovery lookups made one after another in the caller's thread. */
  public static ImageSignatureVerifier create(OciSource source, TrustPolicy policy, Clock clock)
      throws TrustException {
    return create(source, new ArtifactDiscovery(source), policy, clock);
  }

  /** Resolves {@code reference} once and verifies the signatures on that digest. */
  public SignatureReport verify(ImageReference reference) throws OciException {
    Manifest manifest = source.resolve(reference);
    return verify(
        reference, manifest, discovery.discover(reference.repository(), manifest.digest()));
  }

  /**
   * Verifies the signatures on {@code manifest} (already resolved and digest-checked) found in
   * {@code attachments} (already discovered for its digest), so a caller that also reads the
   * attestations pays for resolution and discovery once.
   */
  public SignatureReport verify(
      ImageReference reference, Manifest manifest, Attachments attachments) throws OciException {
    Digest digest = manifest.digest();
    Repository repository = reference.repository();
    Instant now = clock.instant();
    List<SignatureCheck> checks = new ArrayList<>();

    int candidates = 0;
    if (attachments.legacySignatures().isPresent()) {
      Manifest sigs = attachments.legacySignatures().get();
      List<Descriptor> layers = sigs.layers();
      for (int i = 0; i < Math.min(layers.size(), MAX_SIGNATURE_LAYERS); i++) {
        Descriptor layer = layers.get(i);
        if (!MediaTypes.COSIGN_SIMPLE_SIGNING.equals(layer.mediaType())) {
          continue;
        }
        candidates++;
        checks.add(checkLegacy(repository, digest, sigs, layer, now));
      }
    }
    for (SigstoreBundleArtifact artifact : discovery.sigstoreBundles(attachments)) {
      List<SignatureCheck> bundleChecks = checkBundle(manifest, artifact, now);
      if (!bundleChecks.isEmpty()) {
        candidates++;
        checks.addAll(bundleChecks);
      }
    }

    Set<String> trusted = new LinkedHashSet<>();
    checks.stream().filter(SignatureCheck::passed).forEach(c -> trusted.add(c.signer().get()));
    if (candidates == 0) {
      checks.add(
          SignatureCheck.failed(
              SignatureReason.SIGNATURE_MISSING,
              null,
              "No signature found for " + repository + "@" + digest,
              Map.of(
                  "digest", digest.toString(),
                  "legacyTag", repository + ":" + digest.tagPrefix() + ".sig",
                  "referrers", attachments.referrerSource().name())));
    }
    boolean met = policy.thresholdMet(trusted);
    if (!met && policy.threshold() > 1) {
      checks.add(
          SignatureCheck.failed(
              SignatureReason.THRESHOLD_NOT_MET,
              null,
              policy.shortfall(trusted, digest.toString()),
              Map.of(
                  "digest", digest.toString(),
                  "signers", String.join(",", trusted),
                  "threshold", String.valueOf(policy.threshold()))));
    }
    return new SignatureReport(reference, digest, met, policy.threshold(), trusted, checks);
  }

  /** One {@code .sig} layer: a key-signed or (with a certificate) keyless simple signature. */
  private SignatureCheck checkLegacy(
      Repository repository, Digest digest, Manifest sigs, Descriptor layer, Instant now)
      throws OciException {
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("digest", digest.toString());
    evidence.put("signatureManifest", sigs.digest().toString());
    evidence.put("layer", layer.digest().toString());
    String encoded = layer.annotations().get(COSIGN_SIGNATURE_ANNOTATION);
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(encoded == null ? "" : encoded);
    } catch (IllegalArgumentException e) {
      signature = new byte[0];
    }
    if (signature.length == 0) {
      return SignatureCheck.failed(
          SignatureReason.MALFORMED_SIGNATURE,
          null,
          "signature layer " + layer.digest() + " has no base64 " + COSIGN_SIGNATURE_ANNOTATION,
          evidence);
    }
    SimpleSigningVerifier.SimpleSigningSignature signed =
        new SimpleSigningVerifier.SimpleSigningSignature(
            digest, layer.digest(), source.blob(repository, layer), signature);
    if (LegacyKeylessVerifier.isKeyless(layer.annotations())
        && !simpleSigning.anyKeyVerifies(signed)) {
      try {
        return legacyKeyless.verify(
            layer.annotations(),
            new LegacyKeylessVerifier.Signed.SimpleSigning(signed),
            now,
            evidence);
      } catch (MalformedSignatureException e) {
        return SignatureCheck.failed(
            SignatureReason.MALFORMED_SIGNATURE, null, e.getMessage(), evidence);
      }
    }
    return simpleSigning.verify(signed, now, evidence);
  }

  /** The checks of a bundle that is a signature; none for bundles that are attestations. */
  private List<SignatureCheck> checkBundle(
      Manifest manifest, SigstoreBundleArtifact artifact, Instant now) {
    Digest digest = manifest.digest();
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("digest", digest.toString());
    evidence.put("bundleManifest", artifact.manifest().digest().toString());
    try {
      SigstoreBundle bundle = SigstoreBundle.parse(artifact.json());
      Optional<JsonNode> statement = Optional.empty();
      if (bundle.dsse().isPresent()) {
        // Classify before verifying: an in-toto statement with another predicate is an
        // attestation, checked by the attestation verifier, not a signature of this artifact.
        Optional<JsonNode> parsed = SigstoreBundle.statement(bundle.dsse().get());
        if (parsed.isEmpty()
            || !COSIGN_SIGN_PREDICATE.equals(parsed.get().path("predicateType").asText())) {
          return List.of();
        }
        statement = parsed;
      }
      if (bundle.material() == SigstoreBundle.Material.CERTIFICATE) {
        return List.of(
            keylessBundles.verify(
                artifact.json(),
                digest,
                statement,
                SigstoreBundleKeylessVerifier.Role.SIGNATURE,
                now,
                evidence));
      }
      return keyBundles.verify(
          bundle,
          new SigstoreBundleKeyVerifier.SignedArtifact(digest, Optional.of(manifest.bytes())),
          statement,
          now,
          evidence,
          "sigstore bundle",
          "no trusted key verifies the sigstore bundle " + evidence.get("bundleManifest"));
    } catch (MalformedSignatureException e) {
      return List.of(
          SignatureCheck.failed(
              SignatureReason.MALFORMED_SIGNATURE, null, e.getMessage(), evidence));
    }
  }
}
