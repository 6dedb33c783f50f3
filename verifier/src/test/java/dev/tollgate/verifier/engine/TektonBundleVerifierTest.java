package dev.tollgate.verifier.engine;

import static dev.tollgate.verifier.engine.BundleFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.RegistryClient;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.oci.RetryPolicy;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bundle verification end to end against a real registry: the happy path, signatures of the
 * pipeline bundle and of the task bundles it references, and which pipeline and tasks are judged.
 */
@ExtendWith(RegistryExtension.class)
class TektonBundleVerifierTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    BundleFixtures.start(server);
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
  void verify_registryUnavailable_transientErrorNotCached() throws Exception {
    RegistryClient down =
        RegistryClient.builder().plainHttp("127.0.0.1:1").retry(RetryPolicy.none()).build();
    TektonBundleVerifier verifier = TektonBundleVerifier.create(down, policy(), clock(), LOOKUPS);

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
    TektonBundleVerifier verifier = verifier(policy());

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
}
