package dev.tollgate.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.tollgate.verifier.bundle.Yaml;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciLimits;
import dev.tollgate.verifier.verify.RegistryAccess;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's configuration as it is deployed: the defaults match the mounts and environment of
 * the verifier Deployment in deploy/base, and registry credentials come from where DOCKER_CONFIG
 * points.
 */
class VerifierConfigTest {
  private static final Path DEPLOYMENT = Path.of("../deploy/base/verifier.yaml");

  @TempDir Path dir;

  /** The service's application.properties, with {@code extra} as further properties. */
  private static VerifierConfig config(Map<String, String> extra) throws Exception {
    URL props = VerifierConfigTest.class.getClassLoader().getResource("application.properties");
    return new SmallRyeConfigBuilder()
        .addDefaultInterceptors()
        .withMapping(VerifierConfig.class)
        .withSources(new PropertiesConfigSource(props, 250))
        .withSources(new PropertiesConfigSource(extra, "test", 500))
        .build()
        .getConfigMapping(VerifierConfig.class);
  }

  @Test
  void config_deploymentEnvironment_readsMountedTrustAndRegistryPaths() throws Exception {
    JsonNode container = verifierContainer();
    Map<String, String> env = new HashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    Map<String, String> mounts = new HashMap<>();
    container
        .path("volumeMounts")
        .forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));

    VerifierConfig config = config(Map.of("DOCKER_CONFIG", env.get("DOCKER_CONFIG")));

    assertThat(env.get("DOCKER_CONFIG")).isEqualTo(mounts.get("registry-auth"));
    assertThat(config.registry().dockerConfig()).contains(Path.of(mounts.get("registry-auth")));
    assertThat(config.trust().directory()).isEqualTo(Path.of(mounts.get("trust")));
    assertThat(env).containsEntry("TOLLGATE_VERIFIER_POLICIES_CONFIG_MAP", "tollgate-policies");
    assertThat(config.approvals().topic()).isEqualTo("tollgate.approvals.v1");
  }

  @Test
  void config_noDockerConfig_anonymousRegistryAccess() throws Exception {
    VerifierConfig config = config(Map.of());

    assertThat(config.registry().dockerConfig()).isEmpty();
    assertThat(config.registry().caCertificates()).isEmpty();
    assertThat(config.policies().configMap()).isEmpty();
  }

  @Test
  void config_tagCache_thirtySecondsByDefaultAndZeroTurnsItOff() throws Exception {
    VerifierConfig defaults = config(Map.of());
    VerifierConfig off = config(Map.of("tollgate.verifier.registry.tag-cache.ttl", "PT0S"));

    assertThat(defaults.registry().tagCache().ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.registry().tagCache().maxEntries()).isEqualTo(1000);
    assertThat(off.registry().tagCache().ttl()).isZero();
  }

  @Test
  void dockerConfig_directoryWithConfigJson_readsIt() throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"auths\":{}}", StandardCharsets.UTF_8);

    assertThat(RegistryAccess.dockerConfigFile(Optional.of(dir)))
        .contains(dir.resolve("config.json"));
  }

  @Test
  void dockerConfig_emptyDirectoryOfOptionalSecret_anonymous() {
    assertThat(RegistryAccess.dockerConfigFile(Optional.of(dir))).isEmpty();
  }

  @Test
  void client_unreadableCredentials_failsInsteadOfGoingAnonymous() throws Exception {
    Files.writeString(dir.resolve("config.json"), "{not json", StandardCharsets.UTF_8);
    VerifierConfig config = config(Map.of("DOCKER_CONFIG", dir.toString()));

    assertThatThrownBy(() -> RegistryAccess.client(config.registry()))
        .isInstanceOf(OciException.class)
        .hasMessageContaining("config.json")
        .hasMessageNotContaining("{not json");
  }

  @Test
  void config_registryLimits_defaultsAreOciLimitsDefaults() throws Exception {
    VerifierConfig.Registry registry = config(Map.of()).registry();

    assertThat(RegistryAccess.client(registry).limits()).isEqualTo(OciLimits.defaults());
    assertThat(registry.callTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(registry.tokenRealms()).isEmpty();
  }

  @Test
  void client_limitsSetInConfiguration_usedByTheClient() throws Exception {
    VerifierConfig config =
        config(
            Map.of(
                "tollgate.verifier.registry.limits.max-referrers", "8",
                "tollgate.verifier.registry.token-realms", "quay.example.com=auth.example.com"));

    assertThat(RegistryAccess.client(config.registry()).limits().maxReferrers()).isEqualTo(8);
  }

  @Test
  void client_capBeyondTheCeilingOrMalformedTokenRealm_fails() throws Exception {
    VerifierConfig huge =
        config(Map.of("tollgate.verifier.registry.limits.layer-bytes", "1073741824"));
    VerifierConfig realm =
        config(Map.of("tollgate.verifier.registry.token-realms", "auth.example"));

    assertThatThrownBy(() -> RegistryAccess.client(huge.registry()))
        .isInstanceOf(OciException.class)
        .hasMessageContaining("limits");
    assertThatThrownBy(() -> RegistryAccess.client(realm.registry()))
        .isInstanceOf(OciException.class)
        .hasMessageContaining("token-realms");
  }

  @Test
  void client_caFileWithoutCertificate_fails() throws Exception {
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, "no certificate here\n", StandardCharsets.UTF_8);
    VerifierConfig config =
        config(Map.of("tollgate.verifier.registry.ca-certificates", ca.toString()));

    assertThatThrownBy(() -> RegistryAccess.client(config.registry()))
        .isInstanceOf(OciException.class)
        .hasMessageContaining("ca.pem");
  }

  private static JsonNode verifierContainer() throws Exception {
    try (MappingIterator<JsonNode> docs =
        Yaml.mapper().readerFor(JsonNode.class).readValues(Files.readAllBytes(DEPLOYMENT))) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if ("Deployment".equals(doc.path("kind").asText())) {
          return doc.path("spec").path("template").path("spec").path("containers").get(0);
        }
      }
    }
    throw new AssertionError("no Deployment in " + DEPLOYMENT);
  }
}
