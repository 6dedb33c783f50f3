package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.Fixtures;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without its event-signing key the gateway does not start: no unsigned trigger ever leaves. */
@QuarkusMainTest
@TestProfile(MissingSigningKeyTest.NoSigningKey.class)
class MissingSigningKeyTest {

  private static final String PROPERTY = "tollgate.signing.key-file";

  /** Removes the key the test configuration sets; an application that starts anyway exits. */
  public static class NoSigningKey implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          PROPERTY,
          "",
          "%test." + PROPERTY,
          "",
          "%prod." + PROPERTY,
          "",
          ExitWhenStarted.PROPERTY,
          "true");
    }
  }

  @Test
  @Launch(
      value = {},
      exitCode = 1)
  void start_withoutSigningKey_failsNamingThePropertyAndNoKey(LaunchResult result)
      throws Exception {
    String output = result.getOutput() + result.getErrorOutput();
    String key =
        Files.readString(Fixtures.testResource(Fixtures.SIGNING_KEY), StandardCharsets.US_ASCII);
    String base64 = key.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();

    assertThat(output).contains(PROPERTY, "is not set").doesNotContain(base64);
  }
}
