package dev.tollgate.verifier.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.attestation.ProvenanceCondition;
import dev.tollgate.verifier.attestation.ProvenancePolicy;
import dev.tollgate.verifier.attestation.ScanPolicy;
import dev.tollgate.verifier.attestation.Severity;
import dev.tollgate.verifier.attestation.VulnerabilityException;
import dev.tollgate.verifier.attestation.VulnerabilityScan;
import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.MediaTypes;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.oci.RetryPolicy;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Outcome;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.TrustPolicy;
import dev.tollgate.verifier.signature.TrustedKey;
import dev.tollgate.verifier.signature.Validity;
import dev.tollgate.verifier.testing.MovableClock;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.OciPusher.Signed;
import dev.tollgate.verifier.testing.OciPusher.TektonResource;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import dev.tollgate.verifier.testing.Tar;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bundle verification end to end against a real registry: bundles, task bundles and task images
 * built and pushed here, signed ({@code .sig}) and attested ({@code .att} DSSE) with JDK crypto.
 * One test per failure mode, each on its own repositories.
 */
@ExtendWith(RegistryExtension.class)
class BundleVerifierTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final String BUILDER = "https://tekton.dev/chains/v2";
  static final AtomicInteger SEQ = new AtomicInteger();

  static RegistryServer registry;
  static OciPusher push;
  static RegistryClient client;
  static KeyPair bundleKey;
  static KeyPair scannerKey;
  static KeyPair strangerKey;

  @BeforeAll
  static synchronized void start(RegistryServer server) throws Exception {
    if (registry != null) {
      return;
    }
    registry = server;
    push = new OciPusher("http", server.host());
    client = RegistryClient.builder().plainHttp(server.host()).retry(RetryPolicy.none()).build();
    bundleKey = ecKeyPair();
    scannerKey = ecKeyPair();
    strangerKey = ecKeyPair();
  }

  @Test
  void verify_signedBundleWithAttestedImages_verifiedAndPinned() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    String taskBundle = signedBundle(List.of(task("lint", image, secure())));
    Pushed bundle =
        pushBundle(
            "happy",
            List.of(
                pipeline(
                    "release",
                    embeddedTask("build", image, secure()),
                    resolverTask("lint", taskBundle, "lint"))),
            true);

    VerificationReport report = verifier(policy()).verify(ref("happy", bundle));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
    assertThat(report.pinned()).contains(PUSHED.get(bundle.digest()) + ":v1@" + bundle.digest());
    assertThat(report.checks())
        .anySatisfy(c -> assertThat(c.name()).isEqualTo("task.bundle.signature"))
        .anySatisfy(c -> assertThat(c.evidence()).containsEntry("findings.critical", "0"))
        .anySatisfy(c -> assertThat(c.evidence()).containsEntry("builderId", BUILDER));
    assertThat(report.toJson().path("verdict").asText()).isEqualTo("VERIFIED");
  }

  @Test
  void verify_secondTime_servedFromCacheWithoutRegistry() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("cache", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    BundleVerifier verifier = verifier(policy());
    String pinned = PUSHED.get(bundle.digest()) + "@" + bundle.digest();

    VerificationReport first = verifier.verify(pinned);
    VerificationReport second = verifier.verify(pinned);

    assertThat(first.verified()).as(first.toText()).isTrue();
    assertThat(first.cached()).isFalse();
    assertThat(second.cached()).isTrue();
    assertThat(second.checks()).isEqualTo(first.checks());
  }

  @Test
  void verify_pinnedSecondTime_noRegistryRoundTripTagOneRoundTrip() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("round-trips", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    RegistryClient counted =
        RegistryClient.builder()
            .plainHttp(registry.host())
            .retry(RetryPolicy.none())
            .roundTrips((uri, status, elapsed) -> trips.incrementAndGet())
            .build();
    BundleVerifier verifier = BundleVerifier.create(counted, policy(), clock());
    String pinned = PUSHED.get(bundle.digest()) + "@" + bundle.digest();

    VerificationReport first = verifier.verify(pinned);
    int cold = trips.getAndSet(0);
    VerificationReport again = verifier.verify(pinned);
    int warmPinned = trips.getAndSet(0);
    VerificationReport byTag = verifier.verify(ref("round-trips", bundle));

    assertThat(first.verified()).as(first.toText()).isTrue();
    assertThat(cold).isGreaterThan(3);
    assertThat(again.cached()).isTrue();
    assertThat(warmPinned).isZero();
    assertThat(byTag.cached()).isTrue();
    assertThat(trips.get()).isEqualTo(1);
  }

  @Test
  void verify_byTagAgainWithinTagTtl_noRegistryRoundTripAndReportSaysCached() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("tag-cache", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    MovableClock clock = new MovableClock(NOW);
    BundleVerifier verifier =
        BundleVerifier.create(
            counting(trips), policy(), clock, TagCache.create(Duration.ofSeconds(30), 10));

    VerificationReport first = verifier.verify(ref("tag-cache", bundle));
    trips.set(0);
    clock.advance(Duration.ofSeconds(29));
    VerificationReport second = verifier.verify(ref("tag-cache", bundle));

    assertThat(first.verified()).as(first.toText()).isTrue();
    assertThat(resolution(first).evidence()).containsEntry("resolution", "registry");
    assertThat(second.cached()).isTrue();
    assertThat(trips.get()).isZero();
    assertThat(second.pinned()).isEqualTo(first.pinned());
    Check resolved = resolution(second);
    assertThat(resolved.message())
        .isEqualTo("tag v1 resolved at " + NOW + " (cached, ttl 30s) to " + bundle.digest());
    assertThat(resolved.evidence())
        .containsEntry("resolution", "cached")
        .containsEntry("resolvedAt", NOW.toString())
        .containsEntry("tagCacheTtl", "PT30S")
        .containsEntry("digest", bundle.digest().toString());
    assertThat(second.checks().stream().filter(c -> c.name().equals("bundle.resolve"))).hasSize(1);
    assertThat(second.toJson().toString()).contains("(cached, ttl 30s)");
  }

  @Test
  void verify_byTagAfterTagTtl_resolvedAgainAndMovedTagVerifiedUnderNewDigest() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Repository repo = repo("tag-moves");
    Pushed before =
        pushBundleTo(repo, List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    MovableClock clock = new MovableClock(NOW);
    BundleVerifier verifier =
        BundleVerifier.create(
            counting(trips), policy(), clock, TagCache.create(Duration.ofSeconds(30), 10));
    verifier.verify(ImageReference.of(repo, "v1"));
    Pushed after =
        pushBundleTo(repo, List.of(pipeline("moved", embeddedTask("t", image, secure()))), true);

    clock.advance(Duration.ofSeconds(29));
    trips.set(0);
    VerificationReport withinTtl = verifier.verify(ImageReference.of(repo, "v1"));
    int tripsWithinTtl = trips.get();
    clock.advance(Duration.ofSeconds(1));
    VerificationReport afterTtl = verifier.verify(ImageReference.of(repo, "v1"));

    assertThat(withinTtl.pinned()).contains(repo + ":v1@" + before.digest());
    assertThat(tripsWithinTtl).isZero();
    assertThat(afterTtl.verified()).as(afterTtl.toText()).isTrue();
    assertThat(afterTtl.cached()).isFalse();
    assertThat(afterTtl.pinned()).contains(repo + ":v1@" + after.digest());
    assertThat(resolution(afterTtl).evidence())
        .containsEntry("resolution", "registry")
        .containsEntry("resolvedAt", NOW.plusSeconds(30).toString());
    assertThat(trips.get()).isPositive();
  }

  @Test
  void verify_tagCacheOff_tagResolvedOnEveryVerification() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("tag-off", List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    AtomicInteger trips = new AtomicInteger();
    BundleVerifier verifier =
        BundleVerifier.create(counting(trips), policy(), clock(), TagCache.disabled());

    verifier.verify(ref("tag-off", bundle));
    trips.set(0);
    VerificationReport second = verifier.verify(ref("tag-off", bundle));
    int secondTrips = trips.getAndSet(0);
    VerificationReport third = verifier.verify(ref("tag-off", bundle));

    assertThat(second.cached()).isTrue();
    assertThat(secondTrips).isEqualTo(1);
    assertThat(trips.get()).isEqualTo(1);
    assertThat(resolution(third).evidence())
        .containsEntry("resolution", "registry")
        .containsEntry("tagCacheTtl", "PT0S");
  }

  @Test
  void verify_tagNotFound_failureNotCachedAndBundleFoundOncePushed() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Repository repo = repo("tag-missing");
    BundleVerifier verifier =
        BundleVerifier.create(
            client, policy(), clock(), TagCache.create(Duration.ofSeconds(30), 10));

    VerificationReport missing = verifier.verify(ImageReference.of(repo, "v1"));
    Pushed pushed =
        pushBundleTo(repo, List.of(pipeline("p", embeddedTask("t", image, secure()))), true);
    VerificationReport found = verifier.verify(ImageReference.of(repo, "v1"));

    assertDeniedAlone(missing, "bundle.resolve", "MANIFEST_UNKNOWN");
    assertThat(found.verified()).as(found.toText()).isTrue();
    assertThat(found.pinned()).contains(repo + ":v1@" + pushed.digest());
  }

  @Test
  void verify_deniedBundleByTag_tagForgottenSoAFixUnderTheSameTagIsSeenAtOnce() throws Exception {
    String image = attestedImage(scan(NOW.minus(Duration.ofDays(1))), provenanceV1(BUILDER));
    Repository repo = repo("tag-fixed");
    pushBundleTo(repo, List.of(pipeline("p", embeddedTask("t", image, secure()))), false);
    BundleVerifier verifier =
        BundleVerifier.create(
            client, policy(), clock(), TagCache.create(Duration.ofSeconds(30), 10));

    VerificationReport unsigned = verifier.verify(ImageReference.of(repo, "v1"));
    Pushed fixed =
        pushBundleTo(repo, List.of(pipeline("fixed", embeddedTask("t", image, secure()))), true);
    VerificationReport afterFix = verifier.verify(ImageReference.of(repo, "v1"));

    assertThat(unsigned.verdict()).as(unsigned.toText()).isEqualTo(Verdict.DENIED);
    assertThat(afterFix.verified()).as(afterFix.toText()).isTrue();
    assertThat(afterFix.pinned()).contains(repo + ":v1@" + fixed.digest());
    assertThat(resolution(afterFix).evidence()).containsEntry("resolution", "registry");
  }

  private static Check resolution(VerificationReport report) {
    return report.checks().stream()
        .filter(c -> c.name().equals("bundle.resolve"))
        .findFirst()
        .orElseThrow();
  }

  private static RegistryClient counting(AtomicInteger trips) {
    return RegistryClient.builder()
        .plainHttp(registry.host())
        .retry(RetryPolicy.none())
        .roundTrips((uri, status, elapsed) -> trips.incrementAndGet())
        .build();
  }

  private static void assertDeniedAlone(VerificationReport report, String check, String code) {
    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.DENIED);
    assertThat(report.checks())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo(check);
              assertThat(c.code()).isEqualTo(code);
            });
  }

  @Test
  void verify_registryUnavailable_transientErrorNotCached() throws Exception {
    RegistryClient down =
        RegistryClient.builder().plainHttp("127.0.0.1:1").retry(RetryPolicy.none()).build();
    BundleVerifier verifier = BundleVerifier.create(down, policy(), clock());

    VerificationReport first = verifier.verify("127.0.0.1:1/acme/bundle:v1");
    VerificationReport second = verifier.verify("127.0.0.1:1/acme/bundle:v1");

    assertThat(first.verdict()).isEqualTo(Verdict.TRANSIENT_ERROR);
    assertThat(first.verified()).isFalse();
    assertThat(second.cached()).isFalse();
  }

  @Test
  void verify_unsignedBundle_signatureMissing() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle("unsigned", List.of(pipeline("p", embeddedTask("t", image, secure()))), false);

    VerificationReport report = verifier(policy()).verify(ref("unsigned", bundle));

    assertDenied(report, "bundle.signature", "SIGNATURE_MISSING");
  }

  @Test
  void verify_referencedTaskBundleUnsigned_denied() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    String unsignedTasks = unsignedBundle(List.of(task("lint", image, secure())));
    Pushed bundle =
        pushBundle(
            "task-unsigned",
            List.of(pipeline("p", resolverTask("lint", unsignedTasks, "lint"))),
            true);

    VerificationReport report = verifier(policy()).verify(ref("task-unsigned", bundle));

    assertDenied(report, "task.bundle.signature", "SIGNATURE_MISSING");
    assertThat(report.checks())
        .anySatisfy(c -> assertThat(c.evidence().get("pinned")).contains("@sha256:"));
  }

  @Test
  void verify_privilegedStep_privileged() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    ObjectNode sc = secure().put("privileged", true);
    VerificationReport report = verifyPipeline("privileged", embeddedTask("t", image, sc));

    assertDenied(report, "step.securityContext", "PRIVILEGED");
  }

  @Test
  void verify_missingSecurityContext_securityContextMissing() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    VerificationReport report = verifyPipeline("no-sc", embeddedTask("t", image, null));

    assertDenied(report, "step.securityContext", "SECURITY_CONTEXT_MISSING");
  }

  @Test
  void verify_securityContextFromStepTemplate_passes() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    ObjectNode t = embeddedTask("t", image, null);
    ((ObjectNode) t.get("taskSpec")).putObject("stepTemplate").set("securityContext", secure());

    VerificationReport report = verifyPipeline("template", t);

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
  }

  @Test
  void verify_hostPathVolume_hostPathVolume() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    ObjectNode t = embeddedTask("t", image, secure());
    ((ObjectNode) t.get("taskSpec"))
        .putArray("volumes")
        .addObject()
        .put("name", "docker")
        .putObject("hostPath")
        .put("path", "/var/run/docker.sock");

    VerificationReport report = verifyPipeline("hostpath", t);

    assertDenied(report, "task.volumes", "HOST_PATH_VOLUME");
  }

  @Test
  void verify_imageByTag_imageNotPinned() throws Exception {
    String pinned = attestedImage(scan(NOW), provenanceV1(BUILDER));
    String tagged = pinned.substring(0, pinned.indexOf('@')) + ":v1";

    VerificationReport report = verifyPipeline("tag", embeddedTask("t", tagged, secure()));

    assertDenied(report, "step.image", "IMAGE_NOT_PINNED");
  }

  @Test
  void verify_taskBundleByTag_taskBundleNotPinnedWithoutFetching() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    String byDigest = signedBundle(List.of(task("lint", image, secure())));
    String byTag = byDigest.substring(0, byDigest.indexOf('@')) + ":v1";
    Pushed bundle =
        pushBundle("task-tag", List.of(pipeline("p", resolverTask("lint", byTag, "lint"))), true);

    VerificationReport report = verifier(policy()).verify(ref("task-tag", bundle));

    assertDenied(report, "task.bundle.resolve", "TASK_BUNDLE_NOT_PINNED");
    assertThat(report.checks())
        .noneSatisfy(c -> assertThat(c.name()).isEqualTo("task.bundle.signature"));
  }

  @Test
  void verify_zstdLayer_zstdLayer() throws Exception {
    Repository repo = repo("zstd");
    Descriptor layer =
        push.blob(
            repo,
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "not read".getBytes(StandardCharsets.UTF_8),
            annotations("p", "pipeline"));
    Pushed bundle = push.image(repo, "v1", List.of(layer));
    sign(repo, bundle.digest());
    PUSHED.put(bundle.digest(), repo);

    VerificationReport report = verifier(policy()).verify(ref("zstd", bundle));

    assertDenied(report, "bundle.contents", "ZSTD_LAYER");
  }

  @Test
  void verify_twentyOneLayers_tooManyLayers() throws Exception {
    Repository repo = repo("many");
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      layers.add(
          push.blob(
              repo,
              OciPusher.TEKTON_LAYER,
              Tar.singleFile(
                  "t" + i,
                  ("kind: Task\nmetadata: {name: t" + i + "}\n").getBytes(StandardCharsets.UTF_8)),
              annotations("t" + i, "task")));
    }
    Pushed bundle = push.image(repo, "v1", layers);
    sign(repo, bundle.digest());
    PUSHED.put(bundle.digest(), repo);

    VerificationReport report = verifier(policy()).verify(ref("many", bundle));

    assertDenied(report, "bundle.contents", "TOO_MANY_LAYERS");
    assertThat(report.problems().get(0).evidence()).containsEntry("layers", "21");
  }

  @Test
  void verify_rawJsonLayer_read() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    Repository repo = repo("raw");
    ObjectNode p = pipeline("p", embeddedTask("t", image, secure()));
    Descriptor layer =
        push.blob(
            repo,
            "application/vnd.cdf.tekton.catalog.v1beta1+json",
            OciPusher.bytes(p),
            annotations("p", "pipeline"));
    Pushed bundle = push.image(repo, "v1", List.of(layer));
    sign(repo, bundle.digest());
    PUSHED.put(bundle.digest(), repo);

    VerificationReport report = verifier(policy()).verify(ref("raw", bundle));

    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.VERIFIED);
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
        BundleVerifierTest.class.getResourceAsStream("/scans/trivy-report.json")) {
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
  void verify_highFindingWithExpiredException_vulnerabilitiesDenied() throws Exception {
    Pushed[] img = new Pushed[1];
    String image =
        attestedImage(img, scan(NOW, finding("CVE-2030-0003", "High")), provenanceV1(BUILDER));
    VerificationPolicy expired =
        policy(
            StepPolicy.strict(),
            exceptions(
                new VulnerabilityException(
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
  void verify_highFindingWithValidException_verified() throws Exception {
    Pushed[] img = new Pushed[1];
    String image =
        attestedImage(img, scan(NOW, finding("CVE-2030-0004", "High")), provenanceV1(BUILDER));
    String repository = image.substring(0, image.indexOf('@'));
    VerificationPolicy excepted =
        policy(
            StepPolicy.strict(),
            exceptions(
                new VulnerabilityException(
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
  void verify_namedPipelineNotInBundle_resourceNotFound() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    Pushed bundle =
        pushBundle(
            "named-missing",
            List.of(pipeline("release", embeddedTask("t", image, secure()))),
            true);

    VerificationReport report =
        verifier(policy()).verify(ref("named-missing", bundle).toString(), "deploy");

    assertDenied(report, "bundle.pipeline", "RESOURCE_NOT_FOUND");
    assertThat(report.problems().get(0).evidence()).containsEntry("pipelines", "release");
  }

  @Test
  void verify_namedPipeline_onlyThatPipelineJudgedAndCachedApart() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    ObjectNode privileged = secure().put("privileged", true);
    Pushed bundle =
        pushBundle(
            "named-two",
            List.of(
                pipeline("release", embeddedTask("t", image, secure())),
                pipeline("debug", embeddedTask("t", image, privileged))),
            true);
    BundleVerifier verifier = verifier(policy());

    VerificationReport release = verifier.verify(ref("named-two", bundle).toString(), "release");
    VerificationReport all = verifier.verify(ref("named-two", bundle));

    assertThat(release.verdict()).as(release.toText()).isEqualTo(Verdict.VERIFIED);
    assertThat(all.cached()).isFalse();
    assertDenied(all, "step.securityContext", "PRIVILEGED");
  }

  @Test
  void verify_resolverTaskFromTheSameBundleByTag_taskBundleNotPinned() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    Repository repo = repo("same-bundle");
    ObjectNode p = pipeline("p", resolverTask("lint", repo + ":v1", "lint"));
    pushBundleTo(repo, List.of(p, task("lint", image, secure())), true);

    VerificationReport report = verifier(policy()).verify(ImageReference.of(repo, "v1"));

    // a bundle cannot name itself by digest, and its tag may move before the run: embed the task
    assertDenied(report, "task.bundle.resolve", "TASK_BUNDLE_NOT_PINNED");
  }

  @Test
  void verify_bareTaskRefName_unsupportedReference() throws Exception {
    String image = attestedImage(scan(NOW), provenanceV1(BUILDER));
    ObjectNode bare = Json.mapper().createObjectNode().put("name", "lint");
    bare.putObject("taskRef").put("name", "lint");
    Pushed bundle =
        pushBundle("bare-name", List.of(pipeline("p", bare), task("lint", image, secure())), true);

    VerificationReport report = verifier(policy()).verify(ref("bare-name", bundle));

    assertDenied(report, "pipeline.taskRef", "UNSUPPORTED_REFERENCE");
  }

  @Test
  void compile_celNotBoolean_rejectedAtLoad() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ProvenanceCondition.compile("bad", "builderId + 'x'"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not compile");
  }

  // ---------------------------------------------------------------- fixtures

  private VerificationReport verifyPipeline(String name, ObjectNode pipelineTask) throws Exception {
    Pushed bundle = pushPipeline(name, pipelineTask);
    return verifier(policy()).verify(ref(name, bundle));
  }

  private Pushed pushPipeline(String name, ObjectNode pipelineTask) throws Exception {
    return pushBundle(name, List.of(pipeline("p", pipelineTask)), true);
  }

  private static void assertDenied(VerificationReport report, String check, String code) {
    assertThat(report.verdict()).as(report.toText()).isEqualTo(Verdict.DENIED);
    assertThat(report.problems())
        .as(report.toText())
        .anySatisfy(
            c -> {
              assertThat(c.name()).isEqualTo(check);
              assertThat(c.code()).isEqualTo(code);
              assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
              assertThat(c.remediation()).isPresent();
            });
    assertThat(report.problems())
        .allSatisfy(c -> assertThat(c.outcome()).isNotEqualTo(Outcome.ERROR));
    assertThat(report.toJson().path("checks").isArray()).isTrue();
    assertThat(report.checks().stream().filter(Check::passed).count()).isPositive();
  }

  static BundleVerifier verifier(VerificationPolicy policy) throws Exception {
    return BundleVerifier.create(client, policy, clock());
  }

  static Clock clock() {
    return Clock.fixed(NOW, ZoneOffset.UTC);
  }

  static VerificationPolicy policy() {
    return policy(StepPolicy.strict(), ScanPolicy.defaults(), ProvenancePolicy.defaults());
  }

  static VerificationPolicy policy(StepPolicy steps, ScanPolicy scans, ProvenancePolicy prov) {
    return new VerificationPolicy(
        TrustPolicy.anyOf(
            List.of(new TrustedKey("release", bundleKey.getPublic(), Validity.always()))),
        TrustPolicy.anyOf(
            List.of(new TrustedKey("scanner", scannerKey.getPublic(), Validity.always()))),
        steps,
        scans,
        prov,
        Duration.ofMinutes(10),
        100,
        "test-" + SEQ.incrementAndGet());
  }

  static ScanPolicy exceptions(VulnerabilityException e) {
    ScanPolicy d = ScanPolicy.defaults();
    return new ScanPolicy(
        EnumSet.of(Severity.CRITICAL, Severity.HIGH),
        d.maxAge(),
        List.of(e),
        d.scanPredicateTypes());
  }

  static String repoName(String name) {
    return "bv/" + name;
  }

  static Repository repo(String name) {
    return new Repository(registry.host(), repoName(name) + "-" + SEQ.incrementAndGet());
  }

  /** The bundle by its tag, so every test also resolves the tag once. */
  static dev.tollgate.verifier.oci.ImageReference ref(String name, Pushed bundle) {
    return dev.tollgate.verifier.oci.ImageReference.of(PUSHED.get(bundle.digest()), "v1");
  }

  static Map<String, String> annotations(String name, String kind) {
    return Map.of(
        "dev.tekton.image.name", name,
        "dev.tekton.image.kind", kind,
        "dev.tekton.image.apiVersion", "v1");
  }

  // Bundles remember the repository they were pushed to.
  static final Map<Digest, Repository> PUSHED = new java.util.concurrent.ConcurrentHashMap<>();

  static Pushed pushBundle(String name, List<ObjectNode> resources, boolean signed) {
    return pushBundleTo(repo(name), resources, signed);
  }

  static Pushed pushBundleTo(Repository repo, List<ObjectNode> resources, boolean signed) {
    List<TektonResource> rs = new ArrayList<>();
    for (ObjectNode r : resources) {
      rs.add(
          new TektonResource(
              r.path("metadata").path("name").asText(),
              r.path("kind").asText().toLowerCase(java.util.Locale.ROOT),
              new String(OciPusher.bytes(r), StandardCharsets.UTF_8)));
    }
    Pushed bundle = push.tektonBundle(repo, "v1", rs);
    if (signed) {
      sign(repo, bundle.digest());
    }
    PUSHED.put(bundle.digest(), repo);
    return bundle;
  }

  static String signedBundle(List<ObjectNode> resources) {
    Pushed p = pushBundle("tasks", resources, true);
    return PUSHED.get(p.digest()) + "@" + p.digest();
  }

  static String unsignedBundle(List<ObjectNode> resources) {
    Pushed p = pushBundle("tasks", resources, false);
    return PUSHED.get(p.digest()) + "@" + p.digest();
  }

  static void sign(Repository repo, Digest digest) {
    byte[] payload = OciPusher.simpleSigningPayload(repo.toString(), digest);
    push.legacySignatures(
        repo, digest, List.of(new Signed(payload, sign(bundleKey.getPrivate(), payload))));
  }

  /** A scan and SLSA v1 provenance on the bundle itself, signed by the scanner key. */
  static void attestBundle(Pushed bundle, ObjectNode scanPredicate) {
    attest(
        PUSHED.get(bundle.digest()),
        bundle.digest(),
        scannerKey,
        List.of(
            statement(bundle.digest(), VulnerabilityScan.COSIGN_VULN_V1, scanPredicate),
            statement(bundle.digest(), "https://slsa.dev/provenance/v1", provenanceV1(BUILDER))));
  }

  static VerificationPolicy withBundleAttestations(BundleAttestationPolicy b) {
    VerificationPolicy p = policy();
    return new VerificationPolicy(
        p.bundleSigners(),
        p.attestationSigners(),
        p.steps(),
        p.vulnerabilities(),
        p.provenance(),
        p.cacheTtl(),
        p.cacheMaxEntries(),
        p.fingerprint(),
        b);
  }

  static String attestedImage(ObjectNode scanPredicate, ObjectNode provenance) {
    return attestedImage(new Pushed[1], scanPredicate, provenance);
  }

  static String attestedImage(Pushed[] out, ObjectNode scanPredicate, ObjectNode provenance) {
    Repository repo = repo("image");
    Pushed img = push.image(repo, "v1", "image-" + SEQ.get());
    out[0] = img;
    attest(
        repo,
        img.digest(),
        scannerKey,
        List.of(
            statement(img.digest(), VulnerabilityScan.COSIGN_VULN_V1, scanPredicate),
            statement(
                img.digest(),
                provenance.path("runDetails").isMissingNode()
                    ? "https://slsa.dev/provenance/v0.2"
                    : "https://slsa.dev/provenance/v1",
                provenance)));
    return repo + "@" + img.digest();
  }

  /** A cosign legacy {@code .att} manifest: one DSSE envelope layer per statement. */
  static void attest(Repository repo, Digest subject, KeyPair key, List<ObjectNode> statements) {
    List<Descriptor> layers = new ArrayList<>();
    for (ObjectNode s : statements) {
      layers.add(
          push.blob(
              repo,
              MediaTypes.DSSE_ENVELOPE,
              OciPusher.bytes(envelope(key, s)),
              Map.of("predicateType", s.path("predicateType").asText())));
    }
    Descriptor config =
        push.blob(repo, OciPusher.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8));
    push.manifest(
        repo,
        subject.tagPrefix() + ".att",
        MediaTypes.OCI_MANIFEST,
        OciPusher.imageManifest(config, layers, null, null));
  }

  /** The DSSE envelope cosign writes into a {@code .att} layer, signed with JDK crypto. */
  static ObjectNode envelope(KeyPair key, ObjectNode statement) {
    byte[] payload = OciPusher.bytes(statement);
    String type = "application/vnd.in-toto+json";
    ObjectNode env = Json.mapper().createObjectNode();
    env.put("payloadType", type);
    env.put("payload", Base64.getEncoder().encodeToString(payload));
    env.putArray("signatures")
        .addObject()
        .put("keyid", "")
        .put("sig", sign(key.getPrivate(), pae(type, payload)));
    return env;
  }

  static byte[] pae(String type, byte[] payload) {
    byte[] head =
        ("DSSEv1 " + type.length() + " " + type + " " + payload.length + " ")
            .getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + payload.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  static ObjectNode statement(Digest subject, String predicateType, ObjectNode predicate) {
    ObjectNode s = Json.mapper().createObjectNode();
    s.put("_type", "https://in-toto.io/Statement/v1");
    s.putArray("subject")
        .addObject()
        .put("name", "image")
        .putObject("digest")
        .put("sha256", subject.hex());
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    return s;
  }

  /** A cosign vuln v1 predicate around Grype JSON output. */
  static ObjectNode scan(Instant at, ObjectNode... matches) {
    ObjectNode grype = Json.mapper().createObjectNode();
    ArrayNode m = grype.putArray("matches");
    for (ObjectNode match : matches) {
      m.add(match);
    }
    grype
        .putObject("descriptor")
        .put("name", "grype")
        .put("version", "0.80.0")
        .put("timestamp", at.toString());
    return cosignVuln(grype, at);
  }

  static ObjectNode cosignVuln(ObjectNode result, Instant at) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.putObject("invocation").put("uri", "");
    ObjectNode scanner = p.putObject("scanner");
    scanner.put("uri", "pkg:github/anchore/grype@0.80.0").put("version", "0.80.0");
    scanner.set("result", result);
    p.putObject("metadata")
        .put("scanStartedOn", at.minusSeconds(60).toString())
        .put("scanFinishedOn", at.toString());
    return p;
  }

  static ObjectNode finding(String cve, String severity) {
    ObjectNode f = Json.mapper().createObjectNode();
    f.putObject("vulnerability").put("id", cve).put("severity", severity);
    f.putObject("artifact").put("name", "openssl").put("version", "3.0.0");
    return f;
  }

  static ObjectNode provenanceV1(String builder) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.putObject("buildDefinition").put("buildType", "https://tekton.dev/chains/v2/slsa");
    p.putObject("runDetails").putObject("builder").put("id", builder);
    return p;
  }

  static ObjectNode provenanceV02(String builder) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.putObject("builder").put("id", builder);
    p.put("buildType", "https://tekton.dev/attestations/chains/pipelinerun@v2");
    return p;
  }

  static ObjectNode secure() {
    ObjectNode sc = Json.mapper().createObjectNode();
    sc.put("privileged", false).put("allowPrivilegeEscalation", false).put("runAsNonRoot", true);
    sc.putObject("capabilities").putArray("drop").add("ALL");
    sc.putObject("seccompProfile").put("type", "RuntimeDefault");
    return sc;
  }

  static ObjectNode spec(String image, ObjectNode securityContext) {
    ObjectNode spec = Json.mapper().createObjectNode();
    ObjectNode step = spec.putArray("steps").addObject();
    step.put("name", "run").put("image", image).put("script", "echo ok");
    if (securityContext != null) {
      step.set("securityContext", securityContext);
    }
    return spec;
  }

  static ObjectNode task(String name, String image, ObjectNode securityContext) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("apiVersion", "tekton.dev/v1").put("kind", "Task");
    t.putObject("metadata").put("name", name);
    t.set("spec", spec(image, securityContext));
    return t;
  }

  static ObjectNode embeddedTask(String name, String image, ObjectNode securityContext) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("name", name);
    t.set("taskSpec", spec(image, securityContext));
    return t;
  }

  static ObjectNode resolverTask(String name, String bundle, String taskName) {
    ObjectNode t = Json.mapper().createObjectNode();
    t.put("name", name);
    ObjectNode ref = t.putObject("taskRef");
    ref.put("resolver", "bundles");
    ArrayNode params = ref.putArray("params");
    params.addObject().put("name", "bundle").put("value", bundle);
    params.addObject().put("name", "name").put("value", taskName);
    params.addObject().put("name", "kind").put("value", "task");
    return t;
  }

  static ObjectNode pipeline(String name, ObjectNode... tasks) {
    ObjectNode p = Json.mapper().createObjectNode();
    p.put("apiVersion", "tekton.dev/v1").put("kind", "Pipeline");
    p.putObject("metadata").put("name", name);
    ArrayNode arr = p.putObject("spec").putArray("tasks");
    for (ObjectNode t : tasks) {
      arr.add(t);
    }
    return p;
  }

  static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String sign(PrivateKey key, byte[] payload) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(payload);
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
