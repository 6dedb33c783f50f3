package dev.tollgate.verifier.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One fixture per failure mode under {@code src/test/resources/tasks}, read as Tekton reads it. */
class TaskInspectorTest {
  private static final Path TASKS = Path.of("src/test/resources/tasks");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "restricted.yaml",
        "restricted-net-bind-service.yaml",
        "restricted-from-step-template.yaml"
      })
  void inspect_restrictedTask_passes(String fixture) throws Exception {
    TaskInspector.Inspection inspection = inspect(fixture, StepPolicy.strict());

    assertThat(failures(inspection)).as(inspection.checks().toString()).isEmpty();
    assertThat(inspection.images())
        .isNotEmpty()
        .allSatisfy(i -> assertThat(i.pinned().toString()).isEqualTo(i.written()));
  }

  @ParameterizedTest
  @CsvSource({
    "image-by-tag.yaml, IMAGE_NOT_PINNED",
    "sidecar-image-by-tag.yaml, IMAGE_NOT_PINNED",
    "step-template-image-by-tag.yaml, IMAGE_NOT_PINNED",
    "seccomp-missing.yaml, SECCOMP_PROFILE",
    "seccomp-unconfined.yaml, SECCOMP_PROFILE",
    "capability-added.yaml, CAPABILITY_ADDED",
    "capabilities-not-dropped.yaml, CAPABILITIES_NOT_DROPPED",
    "privileged.yaml, PRIVILEGED",
    "run-as-user-zero.yaml, RUN_AS_ROOT",
    "proc-mount-unmasked.yaml, SECURITY_CONTEXT_UNSAFE",
    "step-action.yaml, STEP_NOT_INSPECTABLE",
    "unknown-step-field.yaml, FIELD_UNKNOWN",
    "unknown-spec-field.yaml, FIELD_UNKNOWN",
    "unknown-security-context-field.yaml, FIELD_UNKNOWN",
    "unknown-step-template-field.yaml, FIELD_UNKNOWN",
    "unknown-sidecar-field.yaml, FIELD_UNKNOWN",
    "host-path-volume.yaml, HOST_PATH_VOLUME",
    "nfs-volume.yaml, VOLUME_TYPE",
    "sidecar-without-security-context.yaml, SECURITY_CONTEXT_MISSING",
  })
  void inspect_failureModeFixture_deniedWithItsReason(String fixture, BundleReason reason)
      throws Exception {
    TaskInspector.Inspection inspection = inspect(fixture, StepPolicy.strict());

    assertThat(failures(inspection))
        .as(inspection.checks().toString())
        .anySatisfy(
            c -> {
              assertThat(c.code()).isEqualTo(reason.name());
              assertThat(c.remediation()).contains(reason.remediation());
            });
    assertThat(inspection.images())
        .as("nothing referenced by tag is reported as pinned")
        .allSatisfy(i -> assertThat(i.pinned().digest()).isPresent());
  }

  @Test
  void inspect_imageByTag_nothingResolvedOrReportedPinned() throws Exception {
    TaskInspector.Inspection inspection = inspect("image-by-tag.yaml", StepPolicy.strict());

    assertThat(inspection.images()).isEmpty();
    assertThat(failures(inspection))
        .singleElement()
        .satisfies(c -> assertThat(c.remediation().orElseThrow()).contains("by digest"));
  }

  @Test
  void inspect_seccompRelaxedByPolicy_passes() throws Exception {
    StepPolicy noSeccomp = new StepPolicy(true, true, true, true, false, true);

    assertThat(failures(inspect("seccomp-missing.yaml", noSeccomp))).isEmpty();
  }

  @Test
  void inspect_unknownFieldWithEveryRuleRelaxed_stillDenied() throws Exception {
    StepPolicy relaxed = new StepPolicy(false, false, false, false, false, false);

    assertThat(failures(inspect("unknown-spec-field.yaml", relaxed)))
        .extracting(Check::code)
        .contains(BundleReason.FIELD_UNKNOWN.name());
  }

  private static TaskInspector.Inspection inspect(String fixture, StepPolicy policy)
      throws Exception {
    JsonNode task = TektonYaml.read(Files.readAllBytes(TASKS.resolve(fixture)));
    return new TaskInspector(policy).inspect("task/" + fixture, task.path("spec"));
  }

  private static List<Check> failures(TaskInspector.Inspection inspection) {
    return inspection.checks().stream().filter(c -> c.outcome() != Outcome.PASSED).toList();
  }
}
