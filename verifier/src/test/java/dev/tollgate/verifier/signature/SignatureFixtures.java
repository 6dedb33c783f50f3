package dev.tollgate.verifier.signature;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.testing.CosignLegacy;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.OciPusher.Signed;
import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
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

/**
 * What the signature tests share: a real registry, images, and signatures made by independent
 * implementations (sigstore-js through sigstore-offline: key-based and keyless bundles, legacy
 * keyless layers; a second mock CA whose signatures chain to nothing trusted), signed once per run.
 */
final class SignatureFixtures {
  private SignatureFixtures() {}

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

  /** Deleted at exit: the trusted root and bundles are read by every test class. */
  private static TemporaryDirectory fixtures;

  /** Signs the fixtures once per test run, with sigstore-offline (sigstore-js) and a mock CA. */
  static synchronized void start(RegistryServer server) throws Exception {
    Prerequisites.requireSigstoreOffline();
    if (other != null) {
      return;
    }
    fixtures = TemporaryDirectory.create("tollgate-signature-fixtures-");
    Path dir = fixtures.path();
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

  static java.util.Map<String, String> legacyAnnotations(Path out) throws Exception {
    return CosignLegacy.sigAnnotations(
        out.resolve("legacy-keyless.sigstore.json"), out.resolve("trusted_root.json"));
  }

  /** The legacy-keyless image in {@code repo} with a {@code .sig} layer of these annotations. */
  static void legacyKeyless(Repository repo, java.util.Map<String, String> annotations) {
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

  static SignatureReport legacySignedWithWindow(String name, Validity window) throws Exception {
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

  static void assertDenied(SignatureReport report, SignatureReason reason) {
    assertThat(report.trusted()).as("%s", report.checks()).isFalse();
    assertThat(report.failures()).extracting(SignatureCheck::reason).contains(reason);
  }

  static ImageSignatureVerifier verifier(TrustPolicy policy) throws TrustException {
    return ImageSignatureVerifier.create(client, policy, CLOCK);
  }

  static TrustPolicy keyless(StringMatch subject, StringMatch issuer) {
    return new TrustPolicy(
        List.of(),
        List.of(new TrustedIdentity("release-workflow", subject, issuer, Validity.always())),
        1,
        Optional.of(signed.resolve("trusted_root.json")));
  }

  /** The same manifest bytes in another repository, so each test owns its attachments. */
  static Pushed copy(Pushed image, Repository repo) throws Exception {
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

  static byte[] blobFromFixture(Pushed image, dev.tollgate.verifier.oci.Descriptor layer) {
    try {
      Repository fixtures = image == keyImage ? repo("fixtures/key") : repo("fixtures/keyless");
      return client.blob(fixtures, layer);
    } catch (dev.tollgate.verifier.oci.OciException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] bundle(String name) throws Exception {
    return Files.readAllBytes(signed.resolve(name + ".sigstore.json"));
  }

  static TrustedKey key(String name, String file, Validity validity) throws Exception {
    return TrustedKey.fromPem(
        name, Files.readString(signed.resolve(file), StandardCharsets.UTF_8), validity);
  }

  static ImageReference tagged(Repository repo) {
    return ImageReference.of(repo, "v1");
  }

  static Repository repo(String name) {
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
