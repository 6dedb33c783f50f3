package dev.tollgate.verifier.engine;

import static dev.tollgate.verifier.engine.BundleFixtures.BUILDER;
import static dev.tollgate.verifier.engine.BundleFixtures.NOW;
import static dev.tollgate.verifier.engine.BundleFixtures.embeddedTask;
import static dev.tollgate.verifier.engine.BundleFixtures.finding;
import static dev.tollgate.verifier.engine.BundleFixtures.pipeline;
import static dev.tollgate.verifier.engine.BundleFixtures.provenanceV02;
import static dev.tollgate.verifier.engine.BundleFixtures.provenanceV1;
import static dev.tollgate.verifier.engine.BundleFixtures.scan;
import static dev.tollgate.verifier.engine.BundleFixtures.secure;
import static dev.tollgate.verifier.engine.BundleFixtures.statement;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.attestation.ProvenanceEvaluator;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanEvaluator;
import dev.tollgate.verifier.attestation.ScanPolicy;
import dev.tollgate.verifier.attestation.VulnerabilityScan;
import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.StringMatch;
import dev.tollgate.verifier.signature.TrustPolicy;
import dev.tollgate.verifier.signature.TrustedIdentity;
import dev.tollgate.verifier.signature.TrustedKey;
import dev.tollgate.verifier.signature.Validity;
import dev.tollgate.verifier.testing.CosignLegacy;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.Prerequisites;
import dev.tollgate.verifier.testing.Programs;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both directions against an independent implementation (sigstore-js through sigstore-offline,
 * offline, with its mock Fulcio, Rekor and TSA for keyless):
 *
 * <ul>
 *   <li>a bundle and its task images' scans and provenance signed by sigstore-js, key-based and
 *       keyless, as sigstore bundle referrers and as cosign legacy keyless {@code .att} layers,
 *       verified end to end by our engine;
 *   <li>the DSSE envelopes and simple-signing signatures our own tests sign, verified by
 *       sigstore-js, so our fixtures are proven standard.
 * </ul>
 */
@ExtendWith(RegistryExtension.class)
class IndependentSignerTest {
  static final String SUBJECT =
      "https://github.com/acme/scanners/.github/workflows/scan.yml@refs/heads/main";
  static final String ISSUER = "https://token.actions.githubusercontent.com";

  static Path out;
  static RegistryClient client;
  static Repository releaseRepo;
  static Pushed release;
  static Repository criticalRepo;
  static Pushed critical;

  @BeforeAll
  static void signFixtures(RegistryServer server, @TempDir Path dir) throws Exception {
    Prerequisites.requireSigstoreOffline();
    OciPusher push = new OciPusher("http", server.host());
    client = RegistryClient.builder().plainHttp(server.host()).build();
    Repository keyRepo = new Repository(server.host(), "ind/image-key");
    Repository keylessRepo = new Repository(server.host(), "ind/image-keyless");
    Repository legacyRepo = new Repository(server.host(), "ind/image-legacy");
    Repository criticalImageRepo = new Repository(server.host(), "ind/image-critical");
    Pushed keyImage = push.image(keyRepo, "v1", "ind-key");
    Pushed keylessImage = push.image(keylessRepo, "v1", "ind-keyless");
    Pushed legacyImage = push.image(legacyRepo, "v1", "ind-legacy");
    Pushed criticalImage = push.image(criticalImageRepo, "v1", "ind-critical");
    ObjectNode clean = scan(NOW.minus(Duration.ofDays(1)));
    write(dir, "key-scan", statement(keyImage.digest(), VulnerabilityScan.COSIGN_VULN_V1, clean));
    write(
        dir,
        "key-prov",
        statement(keyImage.digest(), ProvenanceEvaluator.SLSA_V1, provenanceV1(BUILDER)));
    write(
        dir,
        "keyless-scan",
        statement(keylessImage.digest(), VulnerabilityScan.COSIGN_VULN_V1, clean));
    write(
        dir,
        "keyless-prov",
        statement(keylessImage.digest(), ProvenanceEvaluator.SLSA_V02, provenanceV02(BUILDER)));
    write(
        dir,
        "legacy-scan",
        statement(legacyImage.digest(), VulnerabilityScan.COSIGN_VULN_V1, clean));
    write(
        dir,
        "legacy-prov",
        statement(legacyImage.digest(), ProvenanceEvaluator.SLSA_V1, provenanceV1(BUILDER)));
    write(
        dir,
        "critical-scan",
        statement(
            criticalImage.digest(),
            VulnerabilityScan.COSIGN_VULN_V1,
            scan(NOW.minus(Duration.ofDays(1)), finding("CVE-2024-3094", "Critical"))));
    write(
        dir,
        "critical-prov",
        statement(criticalImage.digest(), ProvenanceEvaluator.SLSA_V1, provenanceV1(BUILDER)));

    releaseRepo = new Repository(server.host(), "ind/bundle-release");
    release =
        bundle(
            push,
            releaseRepo,
            pipeline(
                "release",
                embeddedTask("key", keyRepo + "@" + keyImage.digest(), secure()),
                embeddedTask("keyless", keylessRepo + "@" + keylessImage.digest(), secure()),
                embeddedTask("legacy", legacyRepo + "@" + legacyImage.digest(), secure())));
    criticalRepo = new Repository(server.host(), "ind/bundle-critical");
    critical =
        bundle(
            push,
            criticalRepo,
            pipeline(
                "release",
                embeddedTask("scan", criticalImageRepo + "@" + criticalImage.digest(), secure())));
    Files.write(dir.resolve("release-manifest.json"), release.bytes());
    Files.write(dir.resolve("critical-manifest.json"), critical.bytes());

    List<String> items = new ArrayList<>();
    items.add(item("bundle-release", "blob", "release-manifest.json", "key:release"));
    items.add(item("bundle-critical", "blob", "critical-manifest.json", "key:release"));
    for (String s : List.of("key-scan", "key-prov")) {
      items.add(item(s, "statement", s + ".json", "key:scanner"));
    }
    for (String s :
        List.of(
            "keyless-scan",
            "keyless-prov",
            "legacy-scan",
            "legacy-prov",
            "critical-scan",
            "critical-prov")) {
      items.add(item(s, "statement", s + ".json", "keyless"));
    }
    Files.writeString(
        dir.resolve("spec.json"),
        "{\"out\":\"out\",\"keys\":{\"release\":null,\"scanner\":null},"
            + "\"identity\":{\"subject\":\""
            + SUBJECT
            + "\",\"issuer\":\""
            + ISSUER
            + "\"},\"items\":["
            + String.join(",", items)
            + "]}",
        StandardCharsets.UTF_8);
    Programs.sigstoreSign(dir.resolve("spec.json"));
    out = dir.resolve("out");

    push.bundleReferrer(releaseRepo, release, List.of(signed("bundle-release")));
    push.bundleReferrer(criticalRepo, critical, List.of(signed("bundle-critical")));
    push.bundleReferrer(keyRepo, keyImage, List.of(signed("key-scan"), signed("key-prov")));
    push.bundleReferrer(
        keylessRepo, keylessImage, List.of(signed("keyless-scan"), signed("keyless-prov")));
    push.bundleReferrer(
        criticalImageRepo,
        criticalImage,
        List.of(signed("critical-scan"), signed("critical-prov")));
    List<Map.Entry<byte[], Map<String, String>>> att = new ArrayList<>();
    for (String s : List.of("legacy-scan", "legacy-prov")) {
      CosignLegacy.Attestation a =
          CosignLegacy.att(out.resolve(s + ".sigstore.json"), out.resolve("trusted_root.json"));
      att.add(Map.entry(a.envelope(), a.annotations()));
    }
    push.legacyAttachment(legacyRepo, legacyImage.digest(), "att", MediaTypes.DSSE_ENVELOPE, att);
  }

  @Test
  void verify_bundleAndAttestationsSignedBySigstoreJs_verified() throws Exception {
    VerificationReport report = verifier(SUBJECT).verify(ImageReference.of(releaseRepo, "v1"));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
    List<Check> scans =
        report.checks().stream().filter(c -> c.name().equals(ScanEvaluator.CHECK)).toList();
    assertThat(scans).hasSize(3);
    assertThat(scans)
        .anySatisfy(c -> assertThat(c.evidence()).containsEntry("key", "scanner"))
        .anySatisfy(
            c ->
                assertThat(c.evidence())
                    .containsEntry("certificateIdentity", SUBJECT)
                    .containsEntry("source", "sigstore bundle"))
        .anySatisfy(
            c ->
                assertThat(c.evidence())
                    .containsEntry("certificateIdentity", SUBJECT)
                    .containsEntry("source", "legacy .att")
                    .containsKey("rekorLogIndex"));
    assertThat(report.checks())
        .filteredOn(c -> c.name().equals(ProvenanceEvaluator.CHECK))
        .hasSize(3)
        .allSatisfy(c -> assertThat(c.evidence()).containsEntry("builderId", BUILDER));
  }

  @Test
  void verify_keylessScanWithCriticalFindingBySigstoreJs_vulnerabilitiesDenied() throws Exception {
    VerificationReport report = verifier(SUBJECT).verify(ImageReference.of(criticalRepo, "v1"));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.DENIED);
    assertThat(report.problems())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo(ScanEvaluator.CHECK);
              assertThat(c.code()).isEqualTo("VULNERABILITIES_DENIED");
              assertThat(c.evidence()).containsEntry("findings.critical", "1");
            });
  }

  @Test
  void verify_keylessAttestationsByAnotherIdentity_signerUntrusted() throws Exception {
    VerificationReport report =
        verifier("https://github.com/acme/other/.github/workflows/x.yml@refs/heads/main")
            .verify(ImageReference.of(releaseRepo, "v1"));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.DENIED);
    // the keyless sigstore bundle and the keyless legacy .att image; the key-signed image passes
    assertThat(report.problems())
        .filteredOn(c -> c.name().equals(ScanEvaluator.CHECK))
        .hasSize(2)
        .allSatisfy(
            c -> {
              assertThat(c.code()).isEqualTo("SIGNER_UNTRUSTED");
              assertThat(c.evidence()).containsEntry("signatureReason", "IDENTITY_MISMATCH");
            });
  }

  @Test
  void ourDsseEnvelope_verifiedBySigstoreJs_validAndTamperedInvalid(@TempDir Path dir)
      throws Exception {
    KeyPair key = BundleFixtures.ecKeyPair();
    Digest subject = Digest.of("image".getBytes(StandardCharsets.UTF_8));
    ObjectNode envelope =
        BundleFixtures.envelope(
            key, statement(subject, VulnerabilityScan.COSIGN_VULN_V1, scan(NOW)));
    Files.writeString(dir.resolve("ours.pub"), pem(key));

    ObjectNode bundle = publicKeyBundle();
    bundle.set("dsseEnvelope", envelope);
    Files.write(dir.resolve("ours.sigstore.json"), OciPusher.bytes(bundle));
    ObjectNode tampered = envelope.deepCopy();
    tampered.put(
        "payload",
        Base64.getEncoder()
            .encodeToString(
                OciPusher.bytes(
                    statement(
                        subject,
                        VulnerabilityScan.COSIGN_VULN_V1,
                        scan(NOW, finding("CVE-2024-3094", "Critical"))))));
    bundle.set("dsseEnvelope", tampered);
    Files.write(dir.resolve("tampered.sigstore.json"), OciPusher.bytes(bundle));

    assertThat(independentVerify(dir, "ours.sigstore.json", null).exitCode()).isZero();
    assertThat(independentVerify(dir, "tampered.sigstore.json", null).exitCode()).isEqualTo(1);
  }

  @Test
  void ourSimpleSigningSignature_verifiedBySigstoreJs_validAndOtherPayloadInvalid(@TempDir Path dir)
      throws Exception {
    KeyPair key = BundleFixtures.ecKeyPair();
    Digest image = Digest.of("image".getBytes(StandardCharsets.UTF_8));
    byte[] payload = OciPusher.simpleSigningPayload("registry.test/acme/bundle", image);
    Files.write(dir.resolve("payload.json"), payload);
    Files.write(
        dir.resolve("other.json"),
        OciPusher.simpleSigningPayload(
            "registry.test/acme/bundle", Digest.of("other".getBytes(StandardCharsets.UTF_8))));
    Files.writeString(dir.resolve("ours.pub"), pem(key));
    ObjectNode bundle = publicKeyBundle();
    ObjectNode ms = bundle.putObject("messageSignature");
    ms.putObject("messageDigest")
        .put("algorithm", "SHA2_256")
        .put(
            "digest",
            Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(payload)));
    ms.put("signature", BundleFixtures.sign(key.getPrivate(), payload));
    Files.write(dir.resolve("ours.sigstore.json"), OciPusher.bytes(bundle));

    assertThat(independentVerify(dir, "ours.sigstore.json", "payload.json").exitCode()).isZero();
    assertThat(independentVerify(dir, "ours.sigstore.json", "other.json").exitCode()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- fixtures

  private static TektonBundleVerifier verifier(String trustedSubject) throws Exception {
    TrustedKey releaseKey = key("release", "release.pub");
    TrustedKey scannerKey = key("scanner", "scanner.pub");
    VerificationPolicy policy =
        new VerificationPolicy(
            TrustPolicy.anyOf(List.of(releaseKey)),
            new TrustPolicy(
                List.of(scannerKey),
                List.of(
                    new TrustedIdentity(
                        "scan-workflow",
                        StringMatch.exact(trustedSubject),
                        StringMatch.exact(ISSUER),
                        Validity.always())),
                1,
                Optional.of(out.resolve("trusted_root.json"))),
            StepPolicy.strict(),
            ScanPolicy.defaults(),
            ProvenancePolicy.defaults(),
            Duration.ofMinutes(10),
            10,
            "independent-" + trustedSubject);
    return TektonBundleVerifier.create(
        client, policy, BundleFixtures.clock(), BundleFixtures.LOOKUPS);
  }

  private static Programs.Result independentVerify(Path dir, String bundle, String blob)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "node",
                Prerequisites.SIGSTORE_OFFLINE.resolve("sigstore-offline.mjs").toString(),
                "verify",
                "--bundle",
                bundle,
                "--root",
                out.resolve("trusted_root.json").toString(),
                "--key",
                "ours.pub",
                "--tlog",
                "0"));
    if (blob != null) {
      cmd.addAll(List.of("--blob", blob));
    }
    return Programs.run(dir, cmd);
  }

  private static ObjectNode publicKeyBundle() {
    ObjectNode b = Json.mapper().createObjectNode();
    b.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    ObjectNode vm = b.putObject("verificationMaterial");
    vm.putObject("publicKey").put("hint", "ours");
    vm.putArray("tlogEntries");
    vm.putObject("timestampVerificationData").putArray("rfc3161Timestamps");
    return b;
  }

  private static Pushed bundle(OciPusher push, Repository repo, ObjectNode pipeline) {
    return push.tektonBundle(
        repo,
        "v1",
        List.of(
            new OciPusher.TektonResource(
                pipeline.path("metadata").path("name").asText(),
                "pipeline",
                new String(OciPusher.bytes(pipeline), StandardCharsets.UTF_8))));
  }

  private static void write(Path dir, String name, ObjectNode statement) throws Exception {
    Files.write(dir.resolve(name + ".json"), OciPusher.bytes(statement));
  }

  private static String item(String name, String kind, String file, String signer) {
    return "{\"name\":\""
        + name
        + "\",\""
        + kind
        + "\":\""
        + file
        + "\",\"signer\":\""
        + signer
        + "\"}";
  }

  private static byte[] signed(String name) throws Exception {
    return Files.readAllBytes(out.resolve(name + ".sigstore.json"));
  }

  private static TrustedKey key(String name, String file) throws Exception {
    return TrustedKey.fromPem(
        name, Files.readString(out.resolve(file), StandardCharsets.UTF_8), Validity.always());
  }

  private static String pem(KeyPair key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
