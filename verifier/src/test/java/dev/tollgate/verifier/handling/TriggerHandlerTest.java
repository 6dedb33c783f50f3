package dev.tollgate.verifier.handling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.cluster.ClusterClient;
import dev.tollgate.verifier.decide.Decision;
import dev.tollgate.verifier.launch.PipelineRun;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import dev.tollgate.verifier.testing.SignedBundles;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handling across process boundaries, without the messaging layer: a restarted verifier (a new
 * handler over the same cluster) starts no second run, and an unreachable API server is an {@code
 * error} decision after bounded retries.
 */
@ExtendWith(RegistryExtension.class)
class TriggerHandlerTest {
  static KubernetesMockServer server;
  static KubernetesClient client;
  static RegistryServer registry;
  static SignedBundles bundles;

  @TempDir Path policies;

  @BeforeAll
  static void start(RegistryServer shared) throws Exception {
    registry = shared;
    bundles = new SignedBundles(shared);
    server =
        new KubernetesMockServer(
            new io.fabric8.mockwebserver.Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    client = server.createClient();
    try (InputStream yaml =
        TriggerHandlerTest.class.getResourceAsStream("/tekton/pipelineruns.crd.yaml")) {
      client.apiextensions().v1().customResourceDefinitions().load(yaml).create();
    }
  }

  @AfterAll
  static void stop() {
    client.close();
    server.destroy();
  }

  private TriggerHandler handler(String apiServer) throws Exception {
    bundles.writeTrust(policies.resolve("trust"));
    SignedBundles.Pushed bundle = bundles.bundle("release", true);
    Files.writeString(
        policies.resolve("p.yaml"),
        "apiVersion: tollgate.dev/v1alpha1\nkind: TriggerPolicy\nmetadata: {name: p}\nspec:\n"
            + "  match: {repositories: [acme/app]}\n"
            + "  run: {bundle: '"
            + bundle.tagReference()
            + "', pipeline: release, namespace: team-restart}\n"
            + "  trust: {policyFile: trust/trust.yaml}\n");
    VerifierConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(VerifierConfig.class)
            .withSources(
                new PropertiesConfigSource(
                    Map.of(
                        "tollgate.verifier.cluster.api-server-url",
                        apiServer,
                        "tollgate.verifier.registry.plain-http",
                        registry.host(),
                        "tollgate.verifier.retry.max-attempts",
                        "2",
                        "tollgate.verifier.retry.initial-backoff",
                        "PT0.01S"),
                    "test",
                    500))
            .build()
            .getConfigMapping(VerifierConfig.class);
    PolicySet set = new PolicySet(Optional.of(policies), Duration.ofSeconds(1));
    assertThat(set.reload()).isTrue();
    return TriggerHandler.create(set, new Approvals(), new ClusterClient(config), config);
  }

  private static TriggerEvent trigger() {
    String delivery = UUID.randomUUID().toString();
    return new TriggerEvent(
        Ids.githubTrigger(delivery),
        TriggerEvent.Source.GITHUB,
        Instant.now(),
        "push",
        null,
        "acme/app",
        "refs/heads/main",
        null,
        null,
        "c".repeat(40),
        new TriggerEvent.Sender("octocat", 1),
        new TriggerEvent.GitHubDelivery(delivery, null, null),
        Sha256.digest(new byte[0]),
        0,
        null,
        false,
        TriggerEvent.Identity.verified("MEMBER", false, TriggerEvent.Permission.ADMIN),
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void handle_afterRestart_sameRunAndNoSecond() throws Exception {
    String url = client.getConfiguration().getMasterUrl();
    TriggerEvent trigger = trigger();

    Decision first = handler(url).handle(trigger);
    Decision afterRestart = handler(url).handle(trigger);

    assertThat(first).isInstanceOf(Decision.Admitted.class);
    assertThat(afterRestart).isInstanceOf(Decision.Admitted.class);
    DecisionEvent.PipelineRunRef run = ((Decision.Admitted) first).pipelineRun();
    assertThat(((Decision.Admitted) afterRestart).pipelineRun()).isEqualTo(run);
    assertThat(afterRestart.reasons())
        .extracting(r -> r.code())
        .contains(DecisionReason.PIPELINE_RUN_EXISTS.code());
    List<PipelineRun> runs =
        client.resources(PipelineRun.class).inNamespace("team-restart").list().getItems();
    assertThat(runs).extracting(r -> r.getMetadata().getName()).containsExactly(run.name());
  }

  @Test
  void handle_apiServerUnreachable_errorClusterUnavailable() throws Exception {
    Decision d = handler("http://127.0.0.1:1").handle(trigger());

    assertThat(d).isInstanceOf(Decision.Failed.class);
    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(d.reasons())
        .extracting(r -> r.code())
        .containsExactly(DecisionReason.CLUSTER_UNAVAILABLE.code());
    assertThat(d.reasons().get(0).message()).contains("team-restart");
  }
}
