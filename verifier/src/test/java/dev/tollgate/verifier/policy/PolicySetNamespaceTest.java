package dev.tollgate.verifier.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.verifier.namespace.NamespaceRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A policy that sends runs to a namespace Tollgate never touches is refused at load, with the field
 * and the reason, and the previous set stays in force.
 */
class PolicySetNamespaceTest {
  private static final String PEM =
      "-----BEGIN PUBLIC KEY-----\n"
          + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWHbSaJZxP4wJ+5wHb0ZlOBmUMKy+\n"
          + "dfhkKDhkxlT/yUWzBdX5hM40rs5cBsx0h3D8x8kO+iqeTl3rYqZ5XlM2Nw==\n"
          + "-----END PUBLIC KEY-----\n";

  @TempDir Path dir;

  private void policy(String name, String namespace) throws Exception {
    Files.createDirectories(dir.resolve("trust"));
    Files.writeString(dir.resolve("trust/k.pub"), PEM);
    Files.writeString(
        dir.resolve("trust/trust.yaml"),
        "bundleSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n"
            + "attestationSigners: {keys: [{name: k, publicKeyFile: k.pub}]}\n");
    Files.writeString(
        dir.resolve(name + ".yaml"),
        "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: "
            + name
            + "}\nspec:\n  match: {repositories: ['acme/*']}\n"
            + "  run: {bundle: r.example/p:v1, pipeline: p, namespace: "
            + namespace
            + "}\n  trust: {policyFile: trust/trust.yaml}\n");
  }

  private PolicySet set() {
    return new PolicySet(
        Optional.of(dir), Duration.ofSeconds(1), NamespaceRules.of("events", List.of("team-ops")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "default",
        "tollgate-system",
        "events",
        "team-ops"
      })
  void reload_policyNamingAReservedNamespace_refusedWithFieldAndReason(String namespace)
      throws Exception {
    policy("release", namespace);
    PolicySet set = set();

    assertThat(set.reload()).isFalse();

    assertThat(set.policies()).isEmpty();
    assertThat(set.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.field()).isEqualTo("spec.run.namespace");
              assertThat(e.why())
                  .contains("PipelineRuns never go to namespace '" + namespace + "'")
                  .contains("team-<name>");
            });
  }

  @Test
  void reload_reservedNamespaceAddedLater_previousSetStaysInForce() throws Exception {
    policy("release", "team-a");
    PolicySet set = set();
    assertThat(set.reload()).isTrue();

    policy("other", "events");

    assertThat(set.reload()).isFalse();
    assertThat(set.policies()).extracting(TriggerPolicy::name).containsExactly("release");
  }

  @Test
  void reload_tenantNamespace_taken() throws Exception {
    policy("release", "team-kafka");

    PolicySet set = set();

    assertThat(set.reload()).as(set.errors().toString()).isTrue();
    assertThat(set.policies())
        .singleElement()
        .extracting(p -> p.run().namespace())
        .isEqualTo("team-kafka");
  }
}
