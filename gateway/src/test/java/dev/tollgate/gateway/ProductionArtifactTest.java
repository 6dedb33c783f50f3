package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The production gateway holds no benchmark code: the trivial endpoint is compiled only by the
 * Maven profile {@code bench} into target/bench, never into target/classes (what the tests, {@code
 * target/quarkus-app} and the container image are made of), and no setting names it.
 */
class ProductionArtifactTest {

  private static final String TRIVIAL_ENDPOINT = "dev.tollgate.gateway.bench.TrivialEndpoint";

  /** The gateway module's directory (surefire passes its test resources by absolute path). */
  private static Path module() {
    return Fixtures.testResource(".")
        .toAbsolutePath()
        .normalize()
        .getParent()
        .getParent()
        .getParent();
  }

  @Test
  void classpath_productionBuild_lacksTheTrivialEndpoint() {
    assertThat(module().resolve("src/bench/java/dev/tollgate/gateway/bench/TrivialEndpoint.java"))
        .as("the benchmark's endpoint lives in src/bench/java")
        .exists();

    assertThatThrownBy(() -> Class.forName(TRIVIAL_ENDPOINT))
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(module().resolve("target/classes/dev/tollgate/gateway/bench/TrivialEndpoint.class"))
        .doesNotExist();
    assertThat(module().resolve("src/main/java/dev/tollgate/gateway/bench")).doesNotExist();
  }

  @Test
  void configuration_productionBuild_hasNoBenchmarkSetting() throws Exception {
    assertThat(Arrays.stream(GatewayConfig.class.getMethods()).map(Method::getName))
        .noneMatch(name -> name.toLowerCase(Locale.ROOT).contains("benchmark"));
    assertThat(Files.readString(module().resolve("src/main/resources/application.properties")))
        .doesNotContain("tollgate.gateway.benchmark");
  }
}
