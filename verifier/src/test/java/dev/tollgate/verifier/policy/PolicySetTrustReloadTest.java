package dev.tollgate.verifier.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.namespace.NamespaceRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust Secret rotated without a restart: its mount changes on disk the way the kubelet changes
 * it (a new timestamped directory, then the {@code ..data} link swapped), and the next tick reads
 * the policies again under the new keys; a broken trust configuration keeps the previous one in
 * force and says why.
 */
class PolicySetTrustReloadTest {
  private static final String POLICY =
      "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: release}\nspec:\n"
          + "  match: {repositories: ['acme/*'], events: [push]}\n"
          + "  run:\n"
          + "    bundle: registry.example/acme/pipelines:v1\n"
          + "    pipeline: release\n"
          + "    namespace: team-acme\n"
          + "  trust: {policyFile: trust.yaml}\n";

  @TempDir Path trust;

  private PolicySet set;
  private int generation;

  @BeforeEach
  void mount() throws Exception {
    publish(trustYaml(""), pem(newKey()));
    set =
        new PolicySet(
            Optional.empty(), Duration.ofSeconds(1), NamespaceRules.DEFAULTS, Optional.of(trust));
    assertThat(set.fromConfigMap("configmap/tollgate-system/policies", policies(), trust)).isTrue();
  }

  @Test
  void reloadTrust_nothingChanged_keepsTheSet() throws Exception {
    String before = version();

    assertThat(set.reloadTrust()).isFalse();
    assertThat(version()).isEqualTo(before);
  }

  @Test
  void reloadTrust_keyRotatedInTheSecret_newTrustInForceWithoutRestart() throws Exception {
    String before = version();
    String trustBefore = set.policies().get(0).trust().fingerprint();

    publish(trustYaml(""), pem(newKey()));

    assertThat(set.reloadTrust()).isTrue();
    assertThat(version()).isNotEqualTo(before);
    assertThat(set.policies().get(0).trust().fingerprint()).isNotEqualTo(trustBefore);
    assertThat(set.errors()).isEmpty();
  }

  @Test
  void reloadTrust_thresholdChanged_newTrustInForce() throws Exception {
    String before = version();
    byte[] key = Files.readAllBytes(trust.resolve("k.pub"));

    publish(trustYaml("threshold: 1, "), new String(key, StandardCharsets.US_ASCII));

    assertThat(set.reloadTrust()).isTrue();
    assertThat(version()).isNotEqualTo(before);
  }

  @Test
  void reloadTrust_brokenTrust_keepsPreviousTrustAndSaysWhyUntilFixed() throws Exception {
    String before = version();
    String goodKey = Files.readString(trust.resolve("k.pub"), StandardCharsets.US_ASCII);

    publish(trustYaml(""), "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");
    boolean takenBroken = set.reloadTrust();
    String inForceWhileBroken = version();
    boolean takenAgainUnchanged = set.reloadTrust();
    publish(trustYaml("threshold: 1, "), goodKey);
    boolean takenFixed = set.reloadTrust();

    assertThat(takenBroken).isFalse();
    assertThat(inForceWhileBroken).isEqualTo(before);
    assertThat(takenAgainUnchanged).isFalse();
    assertThat(takenFixed).isTrue();
    assertThat(version()).isNotEqualTo(before);
    assertThat(set.errors()).isEmpty();
  }

  @Test
  void reloadTrust_brokenTrust_rejectedGaugeSaysSoUntilFixed() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    new PolicyMetrics(set, meters).register();
    String goodKey = Files.readString(trust.resolve("k.pub"), StandardCharsets.US_ASCII);

    publish(trustYaml(""), "not a key");
    set.reloadTrust();
    double whileBroken = meters.get(PolicyMetrics.REJECTED).gauge().value();
    publish(trustYaml("threshold: 1, "), goodKey);
    set.reloadTrust();

    assertThat(whileBroken).isEqualTo(1.0);
    assertThat(meters.get(PolicyMetrics.REJECTED).gauge().value()).isZero();
    assertThat(meters.get(PolicyMetrics.IN_FORCE).gauge().value()).isEqualTo(1.0);
  }

  @Test
  void reloadTrust_brokenTrust_errorNamesPolicyAndTrustField() throws Exception {
    publish("bundleSigners: [not, a, mapping\n", "");

    set.reloadTrust();

    assertThat(set.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.file()).contains("policies:release.yaml");
              assertThat(e.field()).isEqualTo("spec.trust.policyFile");
            });
    assertThat(set.policies()).hasSize(1);
  }

  private String version() {
    return set.policies().get(0).version();
  }

  private static Map<String, String> policies() {
    return Map.of("release.yaml", POLICY);
  }

  private static String trustYaml(String bundleSignersExtra) {
    return "bundleSigners: {"
        + bundleSignersExtra
        + "keys: [{name: k, publicKeyFile: k.pub}]}\n"
        + "attestationSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n";
  }

  /** As the kubelet updates a Secret volume: a new data directory, then one link swapped. */
  private void publish(String trustYaml, String publicKeyPem) throws Exception {
    Path data = trust.resolve("..2026_12_07_10_00_0" + generation++);
    Files.createDirectory(data);
    Files.writeString(data.resolve("trust.yaml"), trustYaml);
    Files.writeString(data.resolve("k.pub"), publicKeyPem);
    Path next = trust.resolve("..data_tmp");
    Files.createSymbolicLink(next, data.getFileName());
    Files.move(next, trust.resolve("..data"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (String name : new String[] {"trust.yaml", "k.pub"}) {
      if (!Files.exists(trust.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(trust.resolve(name), Path.of("..data", name));
      }
    }
  }

  private static PublicKey newKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair().getPublic();
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
