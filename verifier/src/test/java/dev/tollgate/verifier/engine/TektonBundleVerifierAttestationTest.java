package dev.tollgate.verifier.engine;

import static dev.tollgate.verifier.engine.BundleFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.attestation.ProvenanceCondition;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanPolicy;
import dev.tollgate.verifier.attestation.VulnerabilityScan;
import dev.tollgate.verifier.attestation.VulnerabilityWaiver;
import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.TrustPolicy;
import dev.tollgate.verifier.signature.TrustedKey;
import dev.tollgate.verifier.signature.Validity;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The attestations a bundle verification judges: vulnerability scans, waivers and SLSA provenance
 * of task images and of the bundles themselves, and who must have signed them.
 */
@ExtendWith(RegistryExtension.class)
class TektonBundleVerifierAttestationTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    BundleFixtures.start(server);
  }

  @Test
  void verify_attestationForAnotherDigest_subjectMismatch() throws Exception {
    Repository repo = repo("img");
    Pushed img = push.image(repo, "v1", "other-digest-" + SEQ.get());
    Digest elsewhere = Digest.of("another image".getBytes(StandardCharsets.UTF_8));
    attest(
        repo,
        img.digest(),
        scannerKey,
        List.of(statement(elsewhere, VulnerabilityScan.COSIGN_VULN_V1, scan(NOW))));
    String image = repo + "@" + img.digest();

    VerificationReport report = verifyPipeline("other-digest", embeddedTask("t", image, secure()));

    assertDenied(report, "image.vulnerabilities", "SUBJECT_MISMATCH");
  }

  @Test
  void verify_scanSignedByUntrustedKey_signerUntrusted() throws Exception {
    Repository repo = repo("img");
    Pushed img = push.image(repo, "v1", "stranger-" + SEQ.get());
    attest(
        repo,
        img.digest(),
        strangerKey,
        List.of(statement(img.digest(), VulnerabilityScan.COSIGN_VULN_V1, scan(NOW))));
    String image = repo + "@" + img.digest();

    VerificationReport report = verifyPipeline("stranger", embeddedTask("t", image, secure()));

    assertDenied(report, "image.vulnerabilities", "SIGNER_UNTRUSTED");
  }

  @Test
  void verify_scanOlderThanMaxAge_scanStale() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(8))), provenanceV1(BUILDER));

    VerificationReport report = verifyPipeline("stale", embeddedTask("t", image, secure()));

    assertDenied(report, "image.vulnerabilities", "SCAN_STALE");
  }

  @Test
  void verify_scanDatedBeyondTheClockSkew_scanFromFuture() throws Exception {
    String image =
        attestedImage(
            scan(NOW.plus(ScanPolicy.DEFAULT_MAX_CLOCK_SKEW).plusSeconds(1)),
            provenanceV1(BUILDER));

    VerificationReport report = verifyPipeline("future", embeddedTask("t", image, secure()));

    assertDenied(report, "image.vulnerabilities", "SCAN_FROM_FUTURE");
    assertThat(report.problems().get(0).evidence()).containsEntry("maxClockSkew", "PT5M");
  }

  @Test
  void verify_scanDatedWithinTheClockSkew_verified() throws Exception {
    String image =
        attestedImage(scan(NOW.plus(ScanPolicy.DEFAULT_MAX_CLOCK_SKEW)), provenanceV1(BUILDER));

    VerificationReport report = verifyPipeline("skewed", embeddedTask("t", image, secure()));

    assertThat(report.verified()).as(report.toText()).isTrue();
  }

  @Test
  void verify_criticalFindingInGrypeScan_vulnerabilitiesDenied() throws Exception {
    String image =
        attestedImage(scan(NOW, finding("CVE-2030-0001", "Critical")), provenanceV1(BUILDER));

    VerificationReport report = verifyPipeline("critical", embeddedTask("t", image, secure()));

    assertDenied(report, "image.vulnerabilities", "VULNERABILITIES_DENIED");
    assertThat(report.problems().get(0).evidence()).containsEntry("findings.critical", "1");
  }

  @Test
  void verify_highFindingInTrivyScan_vulnerabilitiesDenied() throws Exception {
    ObjectNode trivy = Json.mapper().createObjectNode();
    trivy.put("SchemaVersion", 2).put("CreatedAt", NOW.toString());
    trivy
        .putArray("Results")
        .addObject()
        .put("Target", "alpine")
        .putArray("Vulnerabilities")
        .addObject()
        .put("VulnerabilityID", "CVE-2030-0002")
        .put("PkgName", "openssl")
        .put("InstalledVersion", "3.0.0")
        .put("Severity", "HIGH");
    String image = attestedImage(cosignVuln(trivy, NOW), provenanceV1(BUILDER));

    VerificationReport report = verifyPipeline("trivy", embeddedTask("t", image, secure()));

    assertDenied(report, "image.vulnerabilities", "VULNERABILITIES_DENIED");
    assertThat(report.problems().get(0).evidence()).containsEntry("findings.high", "1");
  }

  @Test
  void verify_rawTrivyReportUnderTrivyPredicateType_vulnerabilitiesDenied() throws Exception {
    Repository repo = repo("image");
    Pushed img = push.image(repo, "v1", "trivy-native-" + SEQ.get());
    ObjectNode report;
    try (java.io.InputStream in =
        BundleFixtures.class.getResourceAsStream("/scans/trivy-report.json")) {
      report = (ObjectNode) Json.readTree(in.readAllBytes());
    }
    attest(
        repo,
        img.digest(),
        scannerKey,
        List.of(
            statement(img.digest(), ScanPolicy.TRIVY_NATIVE, report),
            statement(img.digest(), "https://slsa.dev/provenance/v1", provenanceV1(BUILDER))));

    VerificationReport result =
        verifyPipeline("trivy-native", embeddedTask("t", repo + "@" + img.digest(), secure()));

    assertDenied(result, "image.vulnerabilities", "VULNERABILITIES_DENIED");
    assertThat(result.problems().get(0).evidence())
        .containsEntry("findings.high", "2")
        .containsEntry("predicateType", ScanPolicy.TRIVY_NATIVE);
  }

  @Test
  void verify_highFindingWithExpiredWaiver_vulnerabilitiesDenied() throws Exception {
    Pushed[] img = new Pushed[1];
    String image =
        attestedImage(img, scan(NOW, finding("CVE-2030-0003", "High")), provenanceV1(BUILDER));
    VerificationPolicy expired =
        policy(
            StepPolicy.strict(),
            waivers(
                new VulnerabilityWaiver(
                    "CVE-2030-0003",
                    img[0].digest().toString(),
                    "no fix yet",
                    NOW.minusSeconds(1))),
            ProvenancePolicy.defaults());

    VerificationReport report =
        verifier(expired)
            .verify(
                ref(
                    "expired-exception",
                    pushPipeline("expired-exception", embeddedTask("t", image, secure()))));

    assertDenied(report, "image.vulnerabilities", "VULNERABILITIES_DENIED");
    assertThat(report.problems().get(0).evidence()).containsKey("exceptionsExpired");
  }

  @Test
  void verify_highFindingWithValidWaiver_verified() throws Exception {
    Pushed[] img = new Pushed[1];
    String image =
        attestedImage(img, scan(NOW, finding("CVE-2030-0004", "High")), provenanceV1(BUILDER));
    String repository = image.substring(0, image.indexOf('@'));
    VerificationPolicy excepted =
        policy(
            StepPolicy.strict(),
            waivers(
                new VulnerabilityWaiver(
                    "CVE-2030-0004", repository, "not reachable", NOW.plus(Duration.ofDays(30)))),
            ProvenancePolicy.defaults());

    VerificationReport report =
        verifier(excepted)
            .verify(
                ref(
                    "valid-exception",
                    pushPipeline("valid-exception", embeddedTask("t", image, secure()))));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
    assertThat(report.checks())
        .anySatisfy(c -> assertThat(c.evidence()).containsKey("exceptionsApplied"));
  }

  @Test
  void verify_provenanceCelConditionFalse_provenanceConditionFailed() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV02("https://evil.example/builder"));
    VerificationPolicy builderPinned =
        policy(
            StepPolicy.strict(),
            ScanPolicy.defaults(),
            new ProvenancePolicy(
                true,
                List.of(
                    ProvenanceCondition.compile(
                        "trusted builder", "builderId == '" + BUILDER + "'"))));

    VerificationReport report =
        verifier(builderPinned)
            .verify(ref("cel", pushPipeline("cel", embeddedTask("t", image, secure()))));

    assertDenied(report, "image.provenance", "PROVENANCE_CONDITION_FAILED");
    assertThat(report.problems().get(0).evidence())
        .containsEntry("builderId", "https://evil.example/builder");
  }

  @Test
  void verify_provenanceV1CelConditionOverPredicate_verified() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    VerificationPolicy conditions =
        policy(
            StepPolicy.strict(),
            ScanPolicy.defaults(),
            new ProvenancePolicy(
                true,
                List.of(
                    ProvenanceCondition.compile(
                        "builder", "builderId.startsWith('https://tekton.dev/')"),
                    ProvenanceCondition.compile(
                        "build type",
                        "predicate.buildDefinition.buildType == 'https://tekton.dev/chains/v2/slsa'"))));

    VerificationReport report =
        verifier(conditions)
            .verify(ref("cel-v1", pushPipeline("cel-v1", embeddedTask("t", image, secure()))));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
  }

  @Test
  void verify_bundleScanAndProvenanceRequiredButMissing_scanMissing() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle(
            "bundle-unattested", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);

    VerificationReport report =
        verifier(withBundleAttestations(new BundleAttestationPolicy(true, true)))
            .verify(ref("bundle-unattested", bundle));

    assertDenied(report, "bundle.vulnerabilities", "SCAN_MISSING");
    assertDenied(report, "bundle.provenance", "PROVENANCE_MISSING");
  }

  @Test
  void verify_bundleAttestedAndRequired_verifiedWithBundleEvidence() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle(
            "bundle-attested", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    attestBundle(bundle, scan(NOW.minus(Duration.ofHours(1))));

    VerificationReport report =
        verifier(withBundleAttestations(new BundleAttestationPolicy(true, true)))
            .verify(ref("bundle-attested", bundle));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
    assertThat(report.checks())
        .filteredOn(c -> c.name().equals("bundle.vulnerabilities"))
        .singleElement()
        .satisfies(c -> assertThat(c.evidence()).containsEntry("findings.critical", "0"));
    assertThat(report.checks())
        .filteredOn(c -> c.name().equals("bundle.provenance"))
        .singleElement()
        .satisfies(c -> assertThat(c.evidence()).containsEntry("builderId", BUILDER));
  }

  @Test
  void verify_bundleScanWithCriticalNotRequired_stillVulnerabilitiesDenied() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle(
            "bundle-critical", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    attestBundle(bundle, scan(NOW, finding("CVE-2024-3094", "Critical")));

    VerificationReport report = verifier(policy()).verify(ref("bundle-critical", bundle));

    assertDenied(report, "bundle.vulnerabilities", "VULNERABILITIES_DENIED");
  }

  @Test
  void compile_celNotBoolean_rejectedAtLoad() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ProvenanceCondition.compile("bad", "builderId + 'x'"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not compile");
  }

  // attestationSigners.threshold: N distinct trusted signers must have signed the same statement.

  @Test
  void verify_attestationThresholdTwoSignedByOne_thresholdNotMet() throws Exception {
    KeyPair second = ecKeyPair();
    Repository repo = repo("threshold-one");
    Pushed img = push.image(repo, "v1", "threshold-one-" + SEQ.get());
    attest(repo, img.digest(), scannerKey, attestations(img.digest()));

    VerificationReport report =
        verifier(attestedByTwoOf(second))
            .verify(ref("threshold-one", pushPipelineOf(repo + "@" + img.digest())));

    assertDenied(report, "image.vulnerabilities", "THRESHOLD_NOT_MET");
    assertDenied(report, "image.provenance", "THRESHOLD_NOT_MET");
    assertThat(report.problems())
        .anySatisfy(
            c -> {
              assertThat(c.message()).contains("1 of the required 2 trusted signers");
              assertThat(c.evidence()).containsEntry("signers", "scanner");
            });
  }

  @Test
  void verify_attestationThresholdTwoSameSignerTwice_thresholdNotMet() throws Exception {
    KeyPair second = ecKeyPair();
    Repository repo = repo("threshold-twice");
    Pushed img = push.image(repo, "v1", "threshold-twice-" + SEQ.get());
    List<ObjectNode> statements = attestations(img.digest());
    attestEnvelopes(
        repo,
        img.digest(),
        List.of(
            envelope(scannerKey, statements.get(0)),
            envelope(scannerKey, statements.get(0)),
            envelope(List.of(scannerKey, scannerKey), statements.get(1))));

    VerificationReport report =
        verifier(attestedByTwoOf(second))
            .verify(ref("threshold-twice", pushPipelineOf(repo + "@" + img.digest())));

    assertDenied(report, "image.vulnerabilities", "THRESHOLD_NOT_MET");
    assertDenied(report, "image.provenance", "THRESHOLD_NOT_MET");
  }

  @Test
  void verify_attestationThresholdTwoSignedByTwoInTwoEnvelopes_verified() throws Exception {
    KeyPair second = ecKeyPair();
    Repository repo = repo("threshold-two");
    Pushed img = push.image(repo, "v1", "threshold-two-" + SEQ.get());
    List<ObjectNode> statements = attestations(img.digest());
    attestEnvelopes(
        repo,
        img.digest(),
        List.of(
            envelope(scannerKey, statements.get(0)),
            envelope(second, statements.get(0)),
            envelope(second, statements.get(1)),
            envelope(scannerKey, statements.get(1))));

    VerificationReport report =
        verifier(attestedByTwoOf(second))
            .verify(ref("threshold-two", pushPipelineOf(repo + "@" + img.digest())));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
    assertThat(report.checks())
        .filteredOn(c -> c.name().startsWith("image."))
        .hasSize(2)
        .allSatisfy(c -> assertThat(c.evidence()).containsEntry("signer", "scanner,second"));
  }

  @Test
  void verify_attestationThresholdTwoSignedByTwoInOneEnvelope_verified() throws Exception {
    KeyPair second = ecKeyPair();
    Repository repo = repo("threshold-envelope");
    Pushed img = push.image(repo, "v1", "threshold-envelope-" + SEQ.get());
    List<ObjectNode> statements = attestations(img.digest());
    attestEnvelopes(
        repo,
        img.digest(),
        List.of(
            envelope(List.of(second, scannerKey), statements.get(0)),
            envelope(List.of(scannerKey, second), statements.get(1))));

    VerificationReport report =
        verifier(attestedByTwoOf(second))
            .verify(ref("threshold-envelope", pushPipelineOf(repo + "@" + img.digest())));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
  }

  /** A fresh scan and SLSA v1 provenance about {@code subject}. */
  private static List<ObjectNode> attestations(Digest subject) {
    return List.of(
        statement(subject, VulnerabilityScan.COSIGN_VULN_V1, scan(NOW.minus(Duration.ofDays(1)))),
        statement(subject, "https://slsa.dev/provenance/v1", provenanceV1(BUILDER)));
  }

  /** The default policy, but attestations need both the scanner key and {@code second}. */
  private static VerificationPolicy attestedByTwoOf(KeyPair second) {
    VerificationPolicy p = policy();
    return new VerificationPolicy(
        p.bundleSigners(),
        new TrustPolicy(
            List.of(
                new TrustedKey("scanner", scannerKey.getPublic(), Validity.always()),
                new TrustedKey("second", second.getPublic(), Validity.always())),
            List.of(),
            2,
            Optional.empty()),
        p.steps(),
        p.vulnerabilities(),
        p.provenance(),
        p.cacheTtl(),
        p.cacheMaxEntries(),
        p.fingerprint());
  }

  private static Pushed pushPipelineOf(String image) throws Exception {
    return pushBundle(
        "threshold", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
  }
}
