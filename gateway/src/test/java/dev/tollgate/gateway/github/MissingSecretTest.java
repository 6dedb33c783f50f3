package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Fixtures;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without a webhook secret the application does not start at all. */
@QuarkusMainTest
@TestProfile(MissingSecretTest.NoSecret.class)
class MissingSecretTest {

  /**
   * Removes the secret the test configuration sets (an empty value counts as unset), and makes an
   * application that starts anyway exit rather than run forever.
   */
  public static class NoSecret implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          WebhookSecrets.PROPERTY,
          "",
          "%test." + WebhookSecrets.PROPERTY,
          "",
          "%prod." + WebhookSecrets.PROPERTY,
          "",
          ExitWhenStarted.PROPERTY,
          "true");
    }
  }

  @Test
  @Launch(
      value = {},
      exitCode = 1)
  void start_withoutWebhookSecret_failsNamingTheVariable(LaunchResult result) {
    String output = result.getOutput() + result.getErrorOutput();

    assertThat(output)
        .contains("TOLLGATE_GITHUB_WEBHOOK_SECRET", "is not set")
        .doesNotContain(Fixtures.SECRET, Fixtures.OLD_SECRET);
  }
}
