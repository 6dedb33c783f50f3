package dev.tollgate.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.gateway.Fixtures;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportConsumersTest {

  @Test
  void enabled_credentialsAndVerifierKey_isOnByDefault() {
    assertThat(ReportConsumers.enabled(Optional.empty(), true, true)).isTrue();
  }

  @Test
  void enabled_noCredentialsOrNoVerifierKey_isOffByDefault() {
    assertThat(ReportConsumers.enabled(Optional.empty(), false, true)).isFalse();
    assertThat(ReportConsumers.enabled(Optional.empty(), true, false)).isFalse();
  }

  @Test
  void enabled_configured_isAsConfigured() {
    assertThat(ReportConsumers.enabled(Optional.of(false), true, true)).isFalse();
    assertThat(ReportConsumers.enabled(Optional.of(true), false, false)).isTrue();
  }

  @Test
  void ring_requiredKeysMissing_refusesToStartNamingTheProperty() {
    ConfigurationException refused =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                ReportConsumers.ring(
                    "verifier", ReportConsumers.VERIFIER_KEYS, Optional.empty(), true));

    assertThat(refused.getMessage()).contains("tollgate.trust.verifier-keys");
  }

  @Test
  void ring_privateKeyGivenAsPublic_refusesToStartWithoutPrintingIt() {
    Path privateKey = Fixtures.testResource(Fixtures.SIGNING_KEY);

    ConfigurationException refused =
        catchThrowableOfType(
            ConfigurationException.class,
            () ->
                ReportConsumers.ring(
                    "verifier",
                    ReportConsumers.VERIFIER_KEYS,
                    Optional.of(List.of(privateKey)),
                    true));

    assertThat(refused.getMessage())
        .contains("tollgate.trust.verifier-keys")
        .doesNotContain("PRIVATE KEY");
  }
}
