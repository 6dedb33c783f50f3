package dev.tollgate.cli.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.VerifierConfig;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The command decides with the verifier's own default freshness bounds. */
class FreshnessTest {

  @Test
  void verifierDefaults_areTheVerifiersConfigDefaults() throws Exception {
    WithDefault maxAge =
        VerifierConfig.Trigger.class.getMethod("maxAge").getAnnotation(WithDefault.class);
    WithDefault maxClockSkew =
        VerifierConfig.Trigger.class.getMethod("maxClockSkew").getAnnotation(WithDefault.class);

    assertThat(maxAge).as("tollgate.verifier.trigger.max-age has a default").isNotNull();
    assertThat(maxClockSkew)
        .as("tollgate.verifier.trigger.max-clock-skew has a default")
        .isNotNull();
    assertThat(Freshness.VERIFIER_DEFAULTS.maxAge()).isEqualTo(Duration.parse(maxAge.value()));
    assertThat(Freshness.VERIFIER_DEFAULTS.maxClockSkew())
        .isEqualTo(Duration.parse(maxClockSkew.value()));
  }
}
