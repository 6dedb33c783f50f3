package dev.tollgate.verifier.engine;

import static dev.tollgate.verifier.engine.BundleFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.verifier.oci.Descriptor;
import dev.tollgate.verifier.oci.Repository;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import dev.tollgate.verifier.testing.Tar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a verified bundle may run: step security contexts, volumes and images, and the bundle's
 * layers as Tekton reads them. One test per failure mode, each on its own repositories.
 */
@ExtendWith(RegistryExtension.class)
class TektonBundleVerifierStepsTest {
  @BeforeAll
  static void start(RegistryServer server) throws Exception {
    BundleFixtures.start(server);
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
}
