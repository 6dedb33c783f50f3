package dev.tollgate.ledger.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.RunEvent.Resolution;
import dev.tollgate.schemas.json.Json;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The resolution check on fixture runs under {@code src/test/resources/tekton/provenance}, written
 * as a v1 API server serves them with Tekton's bundles resolver (refSource: the repository pulled,
 * the manifest's sha256, the resource name) and decided against the admitted decision of {@code
 * schemas/examples/decision.admitted.json}.
 */
class ResolutionCheckTest {

  private static final String PINNED =
      "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
  private static final String OTHER =
      "sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9";
  private static final Admission ADMITTED =
      Admission.admitted(
          "github:0a1b2c3d-4e5f-11ef-9a0b-0c1d2e3f4a5b",
          "dec-8277e0910d750195b448797616e091ad",
          List.of(PINNED));

  @Test
  void check_resolvedFromThePinnedDigest_matches() throws IOException {
    Resolution resolution = check("pipelinerun-resolved-pinned.json", ADMITTED).orElseThrow();

    assertThat(resolution.result()).isEqualTo(Resolution.Result.MATCHES);
    assertThat(resolution.digest()).isEqualTo(PINNED);
    assertThat(resolution.uri()).isEqualTo("registry.acme.example/pipelines/release");
    assertThat(resolution.entryPoint()).isEqualTo("release");
    assertThat(resolution.why()).isNull();
  }

  @Test
  void check_resolvedFromAnotherDigest_mismatchNamingBothDigestsAndTheDecision()
      throws IOException {
    Resolution resolution = check("pipelinerun-resolved-other-digest.json", ADMITTED).orElseThrow();

    assertThat(resolution.result()).isEqualTo(Resolution.Result.MISMATCH);
    assertThat(resolution.digest()).isEqualTo(OTHER);
    assertThat(resolution.admittedDigests()).containsExactly(PINNED);
    assertThat(resolution.why())
        .contains("registry.acme.example/pipelines/release@" + OTHER)
        .contains(PINNED)
        .contains("dec-8277e0910d750195b448797616e091ad");
  }

  @Test
  void check_runningWithoutProvenance_nothingToStateYet() throws IOException {
    assertThat(check("pipelinerun-unresolved-running.json", ADMITTED)).isEmpty();
  }

  @Test
  void check_finishedWithoutProvenance_unverifiedNotMismatch() throws IOException {
    Resolution resolution =
        check("pipelinerun-finished-without-provenance.json", ADMITTED).orElseThrow();

    assertThat(resolution.result()).isEqualTo(Resolution.Result.UNVERIFIED);
    assertThat(resolution.digest()).isNull();
    assertThat(resolution.why()).contains("enable-provenance-in-status");
  }

  @Test
  void check_finishedWithGitRefSourceWithoutSha256_unverified() throws IOException {
    Resolution resolution =
        check("pipelinerun-finished-refsource-without-sha256.json", ADMITTED).orElseThrow();

    assertThat(resolution.result()).isEqualTo(Resolution.Result.UNVERIFIED);
    assertThat(resolution.uri()).isEqualTo("git+https://github.com/acme/pipelines.git");
    assertThat(resolution.why()).contains("without a sha256 digest");
  }

  @Test
  void check_olderServerNamesItConfigSource_readAsRefSource() throws IOException {
    Resolution resolution = check("pipelinerun-configsource-pinned.json", ADMITTED).orElseThrow();

    assertThat(resolution.result()).isEqualTo(Resolution.Result.MATCHES);
  }

  @Test
  void check_taskRunFromATaskBundleTheDecisionPinned_matches() throws IOException {
    Admission pinnedTaskBundle =
        Admission.admitted(ADMITTED.triggerId(), ADMITTED.decisionId(), List.of(PINNED, OTHER));

    Resolution resolution =
        check("taskrun-resolved-task-bundle.json", pinnedTaskBundle).orElseThrow();

    assertThat(resolution.result()).isEqualTo(Resolution.Result.MATCHES);
    assertThat(check("taskrun-resolved-task-bundle.json", ADMITTED).orElseThrow().result())
        .isEqualTo(Resolution.Result.MISMATCH);
  }

  @Test
  void check_unadmittedRun_nothingToCompare() throws IOException {
    assertThat(
            check(
                "pipelinerun-resolved-other-digest.json",
                Admission.unadmitted("created around Tollgate")))
        .isEmpty();
  }

  private static Optional<Resolution> check(String fixture, Admission admission)
      throws IOException {
    GenericKubernetesResource resource;
    try (InputStream in =
        ResolutionCheckTest.class.getResourceAsStream("/tekton/provenance/" + fixture)) {
      resource = Json.mapper().readValue(in, GenericKubernetesResource.class);
    }
    TektonRun type =
        resource.getKind().equals("TaskRun") ? TektonRun.TASK_RUN : TektonRun.PIPELINE_RUN;
    return ResolutionCheck.check(RunState.of(type, resource), admission);
  }
}
