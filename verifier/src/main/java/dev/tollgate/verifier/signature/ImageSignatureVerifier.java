package dev.tollgate.verifier.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sigstore.KeylessVerificationException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
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
import java.security.cert.X509Certificate;
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
 * referrers, verifies each against the trust policy, and returns a report whose {@link
 * SignatureReport#pinned()} reference is what may run.
 *
 * <p>Failures of the source (registry down, digest mismatch) are thrown, never turned into an
 * admit; problems with individual signatures are failed checks in the report.
 */
public final class ImageSignatureVerifier {
  static final String COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  static final String COSIGN_CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
  static final String IN_TOTO = "application/vnd.in-toto+json";

  /** The predicate cosign v3 uses when it signs an image as a DSSE statement. */
  static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

  private static final int MAX_SIGNATURE_LAYERS = 64;

  private final OciSource source;
  private final ArtifactDiscovery discovery;
  private final TrustPolicy policy;
  private final Optional<KeylessBundleVerifier> keyless;
  private final Clock clock;

  private ImageSignatureVerifier(
      OciSource source, TrustPolicy policy, Optional<KeylessBundleVerifier> keyless, Clock clock) {
    this.source = source;
    this.discovery = new ArtifactDiscovery(source);
    this.policy = policy;
    this.keyless = keyless;
    this.clock = clock;
  }

  /** Loads the trusted root (if the policy has keyless identities) once, here. */
  public static ImageSignatureVerifier create(OciSource source, TrustPolicy policy, Clock clock)
      throws TrustException {
    Optional<KeylessBundleVerifier> keyless = Optional.empty();
    if (!policy.identities().isEmpty()) {
      keyless = Optional.of(KeylessBundleVerifier.load(policy.trustedRoot().orElseThrow()));
    }
    return new ImageSignatureVerifier(source, policy, keyless, clock);
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
      Optional<SignatureCheck> check = checkBundle(manifest, artifact, now);
      if (check.isPresent()) {
        candidates++;
        checks.add(check.get());
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
    if (trusted.size() < policy.threshold() && policy.threshold() > 1) {
      checks.add(
          SignatureCheck.failed(
              SignatureReason.THRESHOLD_NOT_MET,
              null,
              trusted.size()
                  + " of the required "
                  + policy.threshold()
                  + " trusted signers signed "
                  + digest,
              Map.of(
                  "digest", digest.toString(),
                  "signers", String.join(",", trusted),
                  "threshold", String.valueOf(policy.threshold()))));
    }
    return new SignatureReport(
        reference,
        digest,
        trusted.size() >= policy.threshold(),
        policy.threshold(),
        trusted,
        checks);
  }

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
    byte[] payload = source.blob(repository, layer);
    Optional<TrustedKey> key = findKey(payload, signature);
    if (key.isEmpty() && layer.annotations().containsKey(COSIGN_CERTIFICATE_ANNOTATION)) {
      return checkLegacyKeyless(digest, layer, payload, signature, now, evidence);
    }
    if (key.isEmpty()) {
      evidence.put("keysTried", keyNames());
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "no trusted key verifies the signature in layer " + layer.digest(),
          evidence);
    }
    TrustedKey k = key.get();
    evidence.put("key", k.name());
    evidence.put("keyFingerprint", k.fingerprint());
    Optional<SignatureCheck> wrongPayload = checkPayload(payload, digest, k.name(), evidence);
    if (wrongPayload.isPresent()) {
      return wrongPayload.get();
    }
    return withinValidity(k.name(), k.validity(), now, "key", evidence, "legacy .sig signature");
  }

  /**
   * A legacy {@code .sig} layer with a Fulcio certificate: chain, SCT, Rekor SET and integrated
   * time against the offline trusted root, then the payload, then the identity.
   */
  private SignatureCheck checkLegacyKeyless(
      Digest digest,
      Descriptor layer,
      byte[] payload,
      byte[] signature,
      Instant now,
      Map<String, String> evidence) {
    if (keyless.isEmpty()) {
      evidence.put("keysTried", keyNames());
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless signature in layer "
              + layer.digest()
              + ", but the trust policy names no keyless identity (and no key verifies it)",
          evidence);
    }
    X509Certificate cert;
    try {
      cert =
          keyless
              .get()
              .legacy()
              .verify(
                  layer.annotations(),
                  LegacyKeylessVerifier.Kind.MESSAGE,
                  payload,
                  payload,
                  signature,
                  evidence);
    } catch (MalformedSignatureException e) {
      return SignatureCheck.failed(
          SignatureReason.MALFORMED_SIGNATURE, null, e.getMessage(), evidence);
    } catch (LegacyKeylessVerifier.InvalidException e) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless signature in layer "
              + layer.digest()
              + " does not verify against the trusted root: "
              + e.getMessage(),
          evidence);
    }
    Optional<SignatureCheck> wrongPayload = checkPayload(payload, digest, null, evidence);
    if (wrongPayload.isPresent()) {
      return wrongPayload.get();
    }
    return trustedIdentity(cert, policy, now, evidence, "certificate", "keyless legacy .sig");
  }

  /** A failed check when the simple-signing payload is not about {@code digest}. */
  private static Optional<SignatureCheck> checkPayload(
      byte[] payload, Digest digest, String signer, Map<String, String> evidence) {
    SimpleSigningPayload parsed;
    try {
      parsed = SimpleSigningPayload.parse(payload);
    } catch (MalformedSignatureException e) {
      return Optional.of(
          SignatureCheck.failed(
              SignatureReason.MALFORMED_SIGNATURE, signer, e.getMessage(), evidence));
    }
    if (!SimpleSigningPayload.COSIGN_TYPE.equals(parsed.type())) {
      return Optional.of(
          SignatureCheck.failed(
              SignatureReason.MALFORMED_SIGNATURE,
              signer,
              "payload type is '"
                  + parsed.type()
                  + "', not '"
                  + SimpleSigningPayload.COSIGN_TYPE
                  + "'",
              evidence));
    }
    if (!digest.toString().equals(parsed.dockerManifestDigest())) {
      evidence.put("payloadDigest", parsed.dockerManifestDigest());
      return Optional.of(
          SignatureCheck.failed(
              SignatureReason.PAYLOAD_DIGEST_MISMATCH,
              signer,
              (signer == null ? "the signer" : "key " + signer)
                  + " signed "
                  + parsed.dockerManifestDigest()
                  + ", not the verified digest "
                  + digest,
              evidence));
    }
    return Optional.empty();
  }

  /** A check for a bundle that is a signature; empty for bundles that are attestations. */
  private Optional<SignatureCheck> checkBundle(
      Manifest manifest, SigstoreBundleArtifact artifact, Instant now) {
    Digest digest = manifest.digest();
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("digest", digest.toString());
    evidence.put("bundleManifest", artifact.manifest().digest().toString());
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(artifact.json());
    } catch (MalformedSignatureException e) {
      return Optional.of(
          SignatureCheck.failed(
              SignatureReason.MALFORMED_SIGNATURE, null, e.getMessage(), evidence));
    }
    Optional<JsonNode> statement = Optional.empty();
    if (bundle.dsse().isPresent()) {
      SigstoreBundle.Dsse dsse = bundle.dsse().get();
      // Classify before verifying: an in-toto statement with another predicate is an attestation,
      // checked by the attestation verifier, not a signature of this artifact.
      Optional<JsonNode> parsed = statement(dsse);
      if (parsed.isEmpty()
          || !COSIGN_SIGN_PREDICATE.equals(parsed.get().path("predicateType").asText())) {
        return Optional.empty();
      }
      statement = parsed;
    }
    if (bundle.material() == SigstoreBundle.Material.CERTIFICATE) {
      return Optional.of(checkKeyless(manifest, artifact, statement, now, evidence));
    }
    return Optional.of(checkPublicKeyBundle(digest, manifest, bundle, statement, now, evidence));
  }

  private SignatureCheck checkPublicKeyBundle(
      Digest digest,
      Manifest manifest,
      SigstoreBundle bundle,
      Optional<JsonNode> statement,
      Instant now,
      Map<String, String> evidence) {
    Optional<TrustedKey> key = Optional.empty();
    if (bundle.messageSignature().isPresent()) {
      SigstoreBundle.MessageSignature ms = bundle.messageSignature().get();
      if (!"SHA2_256".equals(ms.algorithm())
          || !java.util.Arrays.equals(ms.digest(), digest.bytes())) {
        evidence.put(
            "bundleDigest", ms.algorithm() + ":" + java.util.HexFormat.of().formatHex(ms.digest()));
        return SignatureCheck.failed(
            SignatureReason.PAYLOAD_DIGEST_MISMATCH,
            null,
            "the bundle's message digest is not the verified digest " + digest,
            evidence);
      }
      key = findKey(manifest.bytes(), ms.signature());
    } else {
      SigstoreBundle.Dsse dsse = bundle.dsse().orElseThrow();
      byte[] pae = dsse.pae();
      for (byte[] sig : dsse.signatures()) {
        key = findKey(pae, sig);
        if (key.isPresent()) {
          break;
        }
      }
    }
    if (key.isEmpty()) {
      evidence.put("keysTried", keyNames());
      bundle.publicKeyHint().ifPresent(h -> evidence.put("keyHint", h));
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "no trusted key verifies the sigstore bundle " + evidence.get("bundleManifest"),
          evidence);
    }
    TrustedKey k = key.get();
    evidence.put("key", k.name());
    evidence.put("keyFingerprint", k.fingerprint());
    if (statement.isPresent() && !subjectNames(statement.get(), digest)) {
      return SignatureCheck.failed(
          SignatureReason.PAYLOAD_DIGEST_MISMATCH,
          k.name(),
          "the signed statement's subject does not include the verified digest " + digest,
          evidence);
    }
    return withinValidity(k.name(), k.validity(), now, "key", evidence, "sigstore bundle");
  }

  private SignatureCheck checkKeyless(
      Manifest manifest,
      SigstoreBundleArtifact artifact,
      Optional<JsonNode> statement,
      Instant now,
      Map<String, String> evidence) {
    if (keyless.isEmpty()) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless signature, but the trust policy names no keyless identity",
          evidence);
    }
    X509Certificate cert;
    try {
      cert = keyless.get().verify(manifest.digest().bytes(), artifact.json());
    } catch (MalformedSignatureException e) {
      return SignatureCheck.failed(
          SignatureReason.MALFORMED_SIGNATURE, null, e.getMessage(), evidence);
    } catch (KeylessVerificationException e) {
      return SignatureCheck.failed(
          SignatureReason.SIGNATURE_INVALID,
          null,
          "keyless bundle does not verify against the trusted root: " + e.getMessage(),
          evidence);
    }
    if (statement.isPresent() && !subjectNames(statement.get(), manifest.digest())) {
      return SignatureCheck.failed(
          SignatureReason.PAYLOAD_DIGEST_MISMATCH,
          null,
          "the signed statement's subject does not include " + manifest.digest(),
          evidence);
    }
    return trustedIdentity(cert, policy, now, evidence, "certificate", "keyless bundle");
  }

  /**
   * Whether a verified Fulcio certificate names a trusted identity (issuer and SAN) that is valid
   * now: the keyless decision for signatures and attestations alike, recorded in {@code evidence}.
   *
   * @param noun how messages name the certificate
   * @param what how messages name the signed thing
   */
  static SignatureCheck trustedIdentity(
      X509Certificate cert,
      TrustPolicy policy,
      Instant now,
      Map<String, String> evidence,
      String noun,
      String what) {
    String san = FulcioCertificates.subjectAlternativeName(cert).orElse("");
    String issuer = FulcioCertificates.issuer(cert).orElse("");
    evidence.put("certificateIdentity", san);
    evidence.put("certificateIssuer", issuer);
    boolean issuerKnown = false;
    for (TrustedIdentity identity : policy.identities()) {
      if (!identity.issuer().matches(issuer)) {
        continue;
      }
      issuerKnown = true;
      if (identity.subject().matches(san)) {
        evidence.put("identity", identity.name());
        return withinValidity(
            identity.name(), identity.validity(), now, "identity", evidence, what);
      }
    }
    if (issuerKnown) {
      return SignatureCheck.failed(
          SignatureReason.IDENTITY_MISMATCH,
          null,
          noun + " identity '" + san + "' matches no trusted identity for issuer " + issuer,
          evidence);
    }
    return SignatureCheck.failed(
        SignatureReason.ISSUER_MISMATCH,
        null,
        noun + " OIDC issuer '" + issuer + "' matches no trusted identity",
        evidence);
  }

  static SignatureCheck withinValidity(
      String signer,
      Validity validity,
      Instant now,
      String kind,
      Map<String, String> evidence,
      String what) {
    Optional<SignatureReason> outside = validity.check(now);
    if (outside.isPresent()) {
      evidence.put("validity", validity.toString());
      evidence.put("checkedAt", now.toString());
      return SignatureCheck.failed(
          outside.get(),
          signer,
          what
              + " verifies with "
              + kind
              + " "
              + signer
              + ", which is trusted only "
              + validity
              + ", not at "
              + now,
          evidence);
    }
    return SignatureCheck.passed(
        signer,
        what + " verified with " + kind + " " + signer + " for " + evidence.get("digest"),
        evidence);
  }

  private Optional<TrustedKey> findKey(byte[] message, byte[] signature) {
    for (TrustedKey key : policy.keys()) {
      if (SignatureAlgorithms.verify(key.key(), message, signature)) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  private String keyNames() {
    return String.join(",", policy.keys().stream().map(TrustedKey::name).toList());
  }

  private static Optional<JsonNode> statement(SigstoreBundle.Dsse dsse) {
    if (!IN_TOTO.equals(dsse.payloadType())) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.readTree(dsse.payload()));
    } catch (MalformedJsonException e) {
      return Optional.empty();
    }
  }

  private static boolean subjectNames(JsonNode statement, Digest digest) {
    for (JsonNode subject : statement.path("subject")) {
      if (digest.hex().equals(subject.path("digest").path("sha256").asText())) {
        return true;
      }
    }
    return false;
  }
}
