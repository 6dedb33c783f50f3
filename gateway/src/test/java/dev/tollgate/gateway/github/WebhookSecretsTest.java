package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookSecretsTest {

  @Test
  void toString_severalSecrets_showsCountAndNoSecret() {
    WebhookSecrets secrets = WebhookSecrets.parse("hunter2-rotating-out,correct-horse-battery");

    assertThat(secrets.count()).isEqualTo(2);
    assertThat(secrets.toString())
        .contains("2")
        .doesNotContain("hunter2", "correct-horse", "battery");
    assertThat(String.valueOf(new SignatureVerifier(secrets)))
        .doesNotContain("hunter2", "correct-horse");
  }

  @Test
  void parse_blankEntry_failsNamingItsPositionOnly() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2-one,,hunter2-three"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 3 is blank")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void parse_trailingComma_failsAsBlankEntry() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2,"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 2 is blank");
  }

  @Test
  void parse_whitespaceOnlyEntry_failsAsBlankEntry() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2,   "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 2 is blank");
  }

  @Test
  void parse_entryWithTrailingNewline_failsWithoutQuotingIt() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 1 of 1 has leading or trailing whitespace")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void parse_spaceAfterComma_fails() {
    assertThatThrownBy(() -> WebhookSecrets.parse("hunter2, hunter3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry 2 of 2");
  }

  @Test
  void parse_secretWithInnerSpaces_keepsThem() {
    WebhookSecrets secrets = WebhookSecrets.parse("It's a Secret to Everybody");

    assertThat(secrets.count()).isEqualTo(1);
  }

  @Test
  void secrets_unset_failsNamingTheVariable() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class, () -> SignatureVerifiers.secrets(Optional.empty()));

    assertThat(e.getMessage())
        .contains("TOLLGATE_GITHUB_WEBHOOK_SECRET", "tollgate.github.webhook-secret", "not set");
  }

  @Test
  void secrets_blank_failsNamingTheVariable() {
    assertThatThrownBy(() -> SignatureVerifiers.secrets(Optional.of("  ")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("TOLLGATE_GITHUB_WEBHOOK_SECRET");
  }

  @Test
  void secrets_unusable_failsNamingTheVariableNotTheValue() {
    ConfigurationException e =
        catchThrowableOfType(
            ConfigurationException.class,
            () -> SignatureVerifiers.secrets(Optional.of("hunter2,")));

    assertThat(e.getMessage())
        .contains("TOLLGATE_GITHUB_WEBHOOK_SECRET", "entry 2 of 2 is blank")
        .doesNotContain("hunter2");
  }
}
