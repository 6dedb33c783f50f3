package dev.tollgate.verifier.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.report.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a pipeline's tasks are referenced; one fixture per failure mode in {@code pipelines/}. */
class PipelineTasksTest {
  private static final Path PIPELINES = Path.of("src/test/resources/pipelines");

  @Test
  void unpinnedBundle_byTag_taskBundleNotPinned() throws Exception {
    List<PipelineTasks.TaskUse> uses = uses("bundle-by-tag.yaml");
    ImageReference ref = ImageReference.parse(uses.get(0).bundle().orElseThrow());

    assertThat(PipelineTasks.unpinnedBundle("pipeline/p task/lint", ref))
        .hasValueSatisfying(
            c -> {
              assertThat(c.outcome()).isEqualTo(Outcome.FAILED);
              assertThat(c.code()).isEqualTo(BundleReason.TASK_BUNDLE_NOT_PINNED.name());
            });
  }

  @Test
  void unpinnedBundle_byDigest_none() throws Exception {
    List<PipelineTasks.TaskUse> uses = uses("bundle-by-digest.yaml");
    ImageReference ref = ImageReference.parse(uses.get(0).bundle().orElseThrow());

    assertThat(uses.get(0).source()).isEqualTo(PipelineTasks.Source.BUNDLE_RESOLVER);
    assertThat(PipelineTasks.unpinnedBundle("pipeline/p task/lint", ref)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "v1beta1-taskref-bundle.yaml",
        "duplicate-bundle-param.yaml",
        "unknown-pipeline-task-field.yaml"
      })
  void of_referenceTektonMayReadOtherwise_unsupported(String fixture) throws Exception {
    assertThat(uses(fixture))
        .singleElement()
        .satisfies(u -> assertThat(u.source()).isEqualTo(PipelineTasks.Source.UNSUPPORTED));
  }

  private static List<PipelineTasks.TaskUse> uses(String fixture) throws Exception {
    JsonNode p = TektonYaml.read(Files.readAllBytes(PIPELINES.resolve(fixture)));
    return PipelineTasks.of(p.path("spec"));
  }
}
