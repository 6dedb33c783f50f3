package dev.tollgate.verifier.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.bundle.StepPolicy;
import dev.tollgate.verifier.signature.TrustException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Policy values of the wrong type are errors at load, never a rule silently off. */
class PolicyFileTest {
  private static final Path FILES = Path.of("src/test/resources/policy-files");

  @Test
  void load_onlySigners_strictStepDefaults() throws Exception {
    VerificationPolicy policy = PolicyFile.load(FILES.resolve("valid-defaults.yaml"));

    assertThat(policy.steps()).isEqualTo(StepPolicy.strict());
    assertThat(policy.provenance().required()).isTrue();
  }

  @Test
  void load_removedOptionsAtSafeValues_read() throws Exception {
    VerificationPolicy policy = PolicyFile.load(FILES.resolve("valid-legacy-safe-values.yaml"));

    assertThat(policy.steps().requireSeccompProfile()).isFalse();
    assertThat(policy.steps().requireRunAsNonRoot()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "boolean-as-string.yaml, requireRunAsNonRoot",
    "boolean-as-number.yaml, required",
    "boolean-yaml11-yes.yaml, 'yes'",
    "boolean-null.yaml, forbidHostPath",
    "resolve-tags-true.yaml, resolveTags",
    "require-digest-false.yaml, requireDigest",
    "threshold-as-string.yaml, threshold",
  })
  void load_valueOfTheWrongKind_policyInvalid(String file, String field) {
    assertThatThrownBy(() -> PolicyFile.load(FILES.resolve(file)))
        .isInstanceOfSatisfying(
            TrustException.class,
            e -> assertThat(e.reason()).isEqualTo(TrustException.Reason.POLICY_INVALID))
        .hasMessageContaining(field);
  }
}
