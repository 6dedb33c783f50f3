package dev.tollgate.verifier.signature;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.oci.ArtifactDiscovery;
import dev.tollgate.verifier.oci.Attachments;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.testing.CosignLegacy;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.OciPusher.Signed;
import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signature verification end to end against a real registry, with signatures made by an independent
 * implementation (sigstore-js through sigstore-offline: key-based and keyless bundles) and by JDK
 * crypto and openssl (cosign legacy {@code .sig}). One test per failure mode.
 */
@ExtendWith(RegistryExtension.class)
class ImageSignatureVerifierTest {
  static final String SUBJECT =
      "https://github.com/acme/pipelines/.github/workflows/release.yml@refs/heads/main";
  static final String ISSUER = "https://token.actions.githubusercontent.com";
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static RegistryServer registry;
  static OciPusher push;
  static RegistryClient client;
  static Path signed;
  static Pushed keyImage;
  static Pushed keylessImage;
  static Pushed legacyImage;
  static Path otherCa;
  static TrustedKey release;
  static TrustedKey other;

  @BeforeAll
  static void signFixtures(RegistryServer server, @TempDir Path dir) throws Exception {
    Prerequisites.requireSigstoreOffline();
    registry = server;
    push = new OciPusher("http", server.host());
    client = RegistryClient.builder().plainHttp(server.host()).build();
    keyImage = push.image(repo("fixtures/key"), "v1", "key");
    keylessImage = push.image(repo("fixtures/keyless"), "v1", "keyless");
    Files.write(dir.resolve("key-manifest.json"), keyImage.bytes());
    Files.write(dir.resolve("keyless-manifest.json"), keylessImage.bytes());
    legacyImage = push.image(repo("fixtures/legacy-keyless"), "v1", "legacy-keyless");
    Files.write(
        dir.resolve("legacy-payload.json"),
        OciPusher.simpleSigningPayload("fixtures/legacy-keyless", legacyImage.digest()));
    Files.writeString(
        dir.resolve("other.json"), "{\"not\":\"this artifact\"}", StandardCharsets.UTF_8);
    ObjectNode statement = Json.mapper().createObjectNode();
    statement.put("_type", "https://in-toto.io/Statement/v1");
    statement
        .putArray("subject")
        .addObject()
        .put("name", "fixtures/key")
        .putObject("digest")
        .put("sha256", keyImage.digest().hex());
    statement.put("predicateType", ImageSignatureVerifier.COSIGN_SIGN_PREDICATE);
    statement.putObject("predicate");
    Files.write(dir.resolve("statement.json"), OciPusher.bytes(statement));
    Files.writeString(
        dir.resolve("spec.json"),
        "{\"out\":\"out\",\"keys\":{\"release\":null,\"other\":null},"
            + "\"identity\":{\"subject\":\""
            + SUBJECT
            + "\",\"issuer\":\""
            + ISSUER
            + "\"},\"items\":["
            + "{\"name\":\"bundle-key\",\"blob\":\"key-manifest.json\",\"signer\":\"key:release\"},"
            + "{\"name\":\"bundle-wrong-key\",\"blob\":\"key-manifest.json\",\"signer\":\"key:other\"},"
            + "{\"name\":\"bundle-other-artifact\",\"blob\":\"other.json\",\"signer\":\"key:release\"},"
            + "{\"name\":\"bundle-dsse-key\",\"statement\":\"statement.json\",\"signer\":\"key:release\"},"
            + "{\"name\":\"legacy-keyless\",\"blob\":\"legacy-payload.json\",\"signer\":\"keyless\"},"
            + "{\"name\":\"bundle-keyless\",\"blob\":\"keyless-manifest.json\",\"signer\":\"keyless\"}]}",
        StandardCharsets.UTF_8);
    Programs.sigstoreSign(dir.resolve("spec.json"));
    // A second run has its own mock Fulcio CA and Rekor: its signatures chain to no CA we trust.
    Files.writeString(
        dir.resolve("other-ca.json"),
        "{\"out\":\"other-ca\",\"identity\":{\"subject\":\""
            + SUBJECT
            + "\",\"issuer\":\""
            + ISSUER
            + "\"},\"items\":["
            + "{\"name\":\"legacy-keyless\",\"blob\":\"legacy-payload.json\",\"signer\":\"keyless\"}]}",
        StandardCharsets.UTF_8);
    Programs.sigstoreSign(dir.resolve("other-ca.json"));
    otherCa = dir.resolve("other-ca");
    signed = dir.resolve("out");
    release = key("release", "release.pub", Validity.always());
    other = key("other", "other.pub", Validity.always());
  }

  @Test
  void verify_publicKeyBundleBySigstoreJs_trustedAndPinned() throws Exception {
    Repository repo = repo("bundle/key");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-key")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
    assertThat(report.trustedSigners()).containsExactly("release");
    assertThat(report.pinned().digest()).contains(image.digest());
    Attachments found = new ArtifactDiscovery(client).discover(repo, image.digest());
    assertThat(found.referrerSource()).isEqualTo(Attachments.ReferrerSource.FALLBACK_TAG);
  }

  @Test
  void verify_dsseBundleBySigstoreJs_trusted() throws Exception {
    Repository repo = repo("bundle/dsse");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-dsse-key")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
  }

  @Test
  void verify_keylessBundleBySigstoreJs_trustedForExactAndRegexIdentity() throws Exception {
    Repository repo = repo("bundle/keyless");
    Pushed image = copy(keylessImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-keyless")));

    SignatureReport exact =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));
    SignatureReport regex =
        verifier(
                keyless(
                    StringMatch.regex("https://github\\.com/acme/pipelines/\\.github/workflows/.*"),
                    StringMatch.regex("https://token\\.actions\\.githubusercontent\\.com")))
            .verify(tagged(repo));

    assertThat(exact.trusted()).as("%s", exact.checks()).isTrue();
    assertThat(exact.checks().get(0).evidence()).containsEntry("certificateIdentity", SUBJECT);
    assertThat(regex.trusted()).as("%s", regex.checks()).isTrue();
  }

  @Test
  void verify_keylessWrongIdentity_identityMismatch() throws Exception {
    Repository repo = repo("bundle/keyless-identity");
    Pushed image = copy(keylessImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-keyless")));

    SignatureReport report =
        verifier(
                keyless(
                    StringMatch.exact(
                        "https://github.com/acme/other/.github/workflows/x.yml@refs/heads/main"),
                    StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.IDENTITY_MISMATCH);
    assertThat(report.failures().get(0).evidence()).containsEntry("certificateIdentity", SUBJECT);
  }

  @Test
  void verify_keylessWrongIssuer_issuerMismatch() throws Exception {
    Repository repo = repo("bundle/keyless-issuer");
    Pushed image = copy(keylessImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-keyless")));

    SignatureReport report =
        verifier(
                keyless(
                    StringMatch.exact(SUBJECT), StringMatch.exact("https://accounts.google.com")))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.ISSUER_MISMATCH);
    assertThat(report.failures().get(0).evidence()).containsEntry("certificateIssuer", ISSUER);
  }

  @Test
  void verify_unsigned_signatureMissing() throws Exception {
    Repository repo = repo("unsigned");
    push.image(repo, "v1", "unsigned");

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_MISSING);
    assertThat(report.failures().get(0).remediation()).contains("Sign the artifact");
  }

  @Test
  void verify_bundleByUntrustedKey_signatureInvalid() throws Exception {
    Repository repo = repo("bundle/wrong-key");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-wrong-key")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
    assertThat(report.failures().get(0).evidence()).containsEntry("keysTried", "release");
  }

  @Test
  void verify_bundleForAnotherArtifact_payloadDigestMismatch() throws Exception {
    Repository repo = repo("bundle/other-artifact");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-other-artifact")));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.PAYLOAD_DIGEST_MISMATCH);
  }

  @Test
  void verify_legacySigSignedWithJdk_trusted() throws Exception {
    KeyPair pair = ecKeyPair();
    Repository repo = repo("legacy/jdk");
    Pushed image = push.image(repo, "v1", "legacy-jdk");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), image.digest());
    push.legacySignatures(
        repo, image.digest(), List.of(new Signed(payload, sign(pair.getPrivate(), payload))));

    SignatureReport report =
        verifier(
                TrustPolicy.anyOf(
                    List.of(new TrustedKey("ci", pair.getPublic(), Validity.always()))))
            .verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
  }

  @Test
  void verify_legacySigSignedWithOpenssl_trusted(@TempDir Path dir) throws Exception {
    Prerequisites.requireOpenssl();
    Repository repo = repo("legacy/openssl");
    Pushed image = push.image(repo, "v1", "legacy-openssl");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), image.digest());
    Files.write(dir.resolve("payload.json"), payload);
    Programs.check(
        dir,
        List.of(
            "openssl",
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "key.pem"));
    Programs.check(dir, List.of("openssl", "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"));
    Programs.check(
        dir,
        List.of(
            "openssl", "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.der", "payload.json"));
    String sig = Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("sig.der")));
    push.legacySignatures(repo, image.digest(), List.of(new Signed(payload, sig)));
    TrustedKey key =
        TrustedKey.fromPem(
            "openssl",
            Files.readString(dir.resolve("pub.pem"), StandardCharsets.UTF_8),
            Validity.always());

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(key))).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
  }

  @Test
  void verify_legacySigWrongKey_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/wrong-key");
    Pushed image = push.image(repo, "v1", "legacy-wrong");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), image.digest());
    push.legacySignatures(
        repo,
        image.digest(),
        List.of(new Signed(payload, sign(ecKeyPair().getPrivate(), payload))));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
  }

  @Test
  void verify_legacySigKeyExpired_keyExpired() throws Exception {
    SignatureReport report =
        legacySignedWithWindow("legacy/expired", Validity.between(null, NOW.minusSeconds(1)));

    assertDenied(report, SignatureReason.KEY_EXPIRED);
    assertThat(report.failures().get(0).signer()).contains("windowed");
  }

  @Test
  void verify_legacySigKeyNotYetValid_keyNotYetValid() throws Exception {
    SignatureReport report =
        legacySignedWithWindow("legacy/not-yet", Validity.between(NOW.plusSeconds(3600), null));

    assertDenied(report, SignatureReason.KEY_NOT_YET_VALID);
  }

  @Test
  void verify_legacySigPayloadNamesOtherDigest_payloadDigestMismatch() throws Exception {
    KeyPair pair = ecKeyPair();
    Repository repo = repo("legacy/payload-mismatch");
    Pushed image = push.image(repo, "v1", "legacy-payload");
    Digest otherDigest = Digest.of("another manifest".getBytes(StandardCharsets.UTF_8));
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), otherDigest);
    push.legacySignatures(
        repo, image.digest(), List.of(new Signed(payload, sign(pair.getPrivate(), payload))));

    SignatureReport report =
        verifier(
                TrustPolicy.anyOf(
                    List.of(new TrustedKey("ci", pair.getPublic(), Validity.always()))))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.PAYLOAD_DIGEST_MISMATCH);
    assertThat(report.failures().get(0).evidence())
        .containsEntry("payloadDigest", otherDigest.toString());
  }

  @Test
  void verify_legacyKeylessSigBySigstoreJs_trustedWithRekorEvidence() throws Exception {
    Repository repo = repo("legacy/keyless");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
    assertThat(report.trustedSigners()).containsExactly("release-workflow");
    assertThat(report.checks().get(0).evidence())
        .containsEntry("certificateIdentity", SUBJECT)
        .containsKeys("rekorLogIndex", "rekorIntegratedTime");
  }

  @Test
  void verify_legacyKeylessSigWrongIdentity_identityMismatch() throws Exception {
    Repository repo = repo("legacy/keyless-identity");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report =
        verifier(
                keyless(
                    StringMatch.exact("https://github.com/acme/other/.github/workflows/x.yml"),
                    StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.IDENTITY_MISMATCH);
  }

  @Test
  void verify_legacyKeylessSigWrongIssuer_issuerMismatch() throws Exception {
    Repository repo = repo("legacy/keyless-issuer");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact("https://gitlab.com")))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.ISSUER_MISMATCH);
  }

  @Test
  void verify_legacyKeylessSigIntegratedTimeAltered_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/keyless-set");
    java.util.Map<String, String> a = new java.util.LinkedHashMap<>(legacyAnnotations(signed));
    a.put(
        CosignLegacy.BUNDLE,
        CosignLegacy.withPayloadField(a.get(CosignLegacy.BUNDLE), "integratedTime", 1_700_000_000));
    legacyKeyless(repo, a);

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
    assertThat(report.failures().get(0).message()).contains("signed entry timestamp");
  }

  @Test
  void verify_legacyKeylessSigFromUntrustedCa_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/keyless-ca");
    legacyKeyless(repo, legacyAnnotations(otherCa));

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
    assertThat(report.failures().get(0).message()).contains("Fulcio");
  }

  @Test
  void verify_legacyKeylessSigWithoutRekorBundle_malformedSignature() throws Exception {
    Repository repo = repo("legacy/keyless-norekor");
    java.util.Map<String, String> a = new java.util.LinkedHashMap<>(legacyAnnotations(signed));
    a.remove(CosignLegacy.BUNDLE);
    legacyKeyless(repo, a);

    SignatureReport report =
        verifier(keyless(StringMatch.exact(SUBJECT), StringMatch.exact(ISSUER)))
            .verify(tagged(repo));

    assertDenied(report, SignatureReason.MALFORMED_SIGNATURE);
  }

  @Test
  void verify_legacyKeylessSigButOnlyKeysTrusted_signatureInvalid() throws Exception {
    Repository repo = repo("legacy/keyless-keys-only");
    legacyKeyless(repo, legacyAnnotations(signed));

    SignatureReport report = verifier(TrustPolicy.anyOf(List.of(release))).verify(tagged(repo));

    assertDenied(report, SignatureReason.SIGNATURE_INVALID);
  }

  private static java.util.Map<String, String> legacyAnnotations(Path out) throws Exception {
    return CosignLegacy.sigAnnotations(
        out.resolve("legacy-keyless.sigstore.json"), out.resolve("trusted_root.json"));
  }

  /** The legacy-keyless image in {@code repo} with a {@code .sig} layer of these annotations. */
  private static void legacyKeyless(Repository repo, java.util.Map<String, String> annotations) {
    Pushed image = push.image(repo, "v1", "legacy-keyless");
    assertThat(image.digest()).isEqualTo(legacyImage.digest());
    push.legacyAttachment(
        repo,
        image.digest(),
        "sig",
        dev.tollgate.verifier.oci.MediaTypes.COSIGN_SIMPLE_SIGNING,
        List.of(
            java.util.Map.entry(
                OciPusher.simpleSigningPayload("fixtures/legacy-keyless", image.digest()),
                annotations)));
  }

  @Test
  void verify_twoOfTwoRequiredOneSigned_thresholdNotMet() throws Exception {
    Repository repo = repo("threshold/one");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-key")));
    TrustPolicy twoOfTwo = new TrustPolicy(List.of(release, other), List.of(), 2, Optional.empty());

    SignatureReport report = verifier(twoOfTwo).verify(tagged(repo));

    assertDenied(report, SignatureReason.THRESHOLD_NOT_MET);
    assertThat(report.trustedSigners()).containsExactly("release");
  }

  @Test
  void verify_twoOfTwoRequiredBothSigned_trusted() throws Exception {
    Repository repo = repo("threshold/two");
    Pushed image = copy(keyImage, repo);
    push.bundleReferrer(repo, image, List.of(bundle("bundle-key"), bundle("bundle-wrong-key")));
    TrustPolicy twoOfTwo = new TrustPolicy(List.of(release, other), List.of(), 2, Optional.empty());

    SignatureReport report = verifier(twoOfTwo).verify(tagged(repo));

    assertThat(report.trusted()).as("%s", report.checks()).isTrue();
    assertThat(report.trustedSigners()).containsExactlyInAnyOrder("release", "other");
  }

  @Test
  void verify_tagMovedAfterResolution_reportPinsTheVerifiedDigest() throws Exception {
    KeyPair pair = ecKeyPair();
    Repository repo = repo("legacy/moved");
    Pushed signedImage = push.image(repo, "v1", "moved-signed");
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), signedImage.digest());
    push.legacySignatures(
        repo, signedImage.digest(), List.of(new Signed(payload, sign(pair.getPrivate(), payload))));
    ImageSignatureVerifier verifier =
        verifier(
            TrustPolicy.anyOf(List.of(new TrustedKey("ci", pair.getPublic(), Validity.always()))));

    SignatureReport report = verifier.verify(tagged(repo));
    Pushed moved = push.image(repo, "v1", "moved-unsigned");

    assertThat(report.trusted()).isTrue();
    assertThat(report.pinned().digest()).contains(signedImage.digest());
    assertThat(client.resolve(report.pinned()).bytes()).isEqualTo(signedImage.bytes());
    SignatureReport afterMove = verifier.verify(tagged(repo));
    assertThat(afterMove.digest()).isEqualTo(moved.digest());
    assertDenied(afterMove, SignatureReason.SIGNATURE_MISSING);
  }

  private SignatureReport legacySignedWithWindow(String name, Validity window) throws Exception {
    KeyPair pair = ecKeyPair();
    Repository repo = repo(name);
    Pushed image = push.image(repo, "v1", name);
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), image.digest());
    push.legacySignatures(
        repo, image.digest(), List.of(new Signed(payload, sign(pair.getPrivate(), payload))));
    return verifier(
            TrustPolicy.anyOf(List.of(new TrustedKey("windowed", pair.getPublic(), window))))
        .verify(tagged(repo));
  }

  private static void assertDenied(SignatureReport report, SignatureReason reason) {
    assertThat(report.trusted()).as("%s", report.checks()).isFalse();
    assertThat(report.failures()).extracting(SignatureCheck::reason).contains(reason);
  }

  private static ImageSignatureVerifier verifier(TrustPolicy policy) throws TrustException {
    return ImageSignatureVerifier.create(client, policy, CLOCK);
  }

  private static TrustPolicy keyless(StringMatch subject, StringMatch issuer) {
    return new TrustPolicy(
        List.of(),
        List.of(new TrustedIdentity("release-workflow", subject, issuer, Validity.always())),
        1,
        Optional.of(signed.resolve("trusted_root.json")));
  }

  /** The same manifest bytes in another repository, so each test owns its attachments. */
  private static Pushed copy(Pushed image, Repository repo) throws Exception {
    Pushed fresh =
        push.image(
            repo,
            "v1",
            image.layers().stream()
                .map(l -> push.blob(repo, l.mediaType(), blobFromFixture(image, l)))
                .toList());
    assertThat(fresh.digest()).isEqualTo(image.digest());
    return fresh;
  }

  private static byte[] blobFromFixture(Pushed image, dev.tollgate.verifier.oci.Descriptor layer) {
    try {
      Repository fixtures = image == keyImage ? repo("fixtures/key") : repo("fixtures/keyless");
      return client.blob(fixtures, layer);
    } catch (dev.tollgate.verifier.oci.OciException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bundle(String name) throws Exception {
    return Files.readAllBytes(signed.resolve(name + ".sigstore.json"));
  }

  private static TrustedKey key(String name, String file, Validity validity) throws Exception {
    return TrustedKey.fromPem(
        name, Files.readString(signed.resolve(file), StandardCharsets.UTF_8), validity);
  }

  private static ImageReference tagged(Repository repo) {
    return ImageReference.of(repo, "v1");
  }

  private static Repository repo(String name) {
    return new Repository(registry.host(), name);
  }

  static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String sign(PrivateKey key, byte[] payload) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(payload);
    return Base64.getEncoder().encodeToString(s.sign());
  }
}
