package dev.tollgate.verifier.testing;

import dev.tollgate.deploy.kafka.TemporaryDirectory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For a {@code @QuarkusTest} of admissions: fabric8's mock API server in CRUD mode with the Tekton
 * v1 CRDs registered (status subresource included), a real OCI registry, and an empty policy
 * directory; the verifier is pointed at all three and reloads policies every 200 ms. It also
 * watches the ConfigMap {@value #CONFIG_MAP} (trust files relative to the policy directory), and a
 * spare registry can be stopped and restarted for outages. The registries' storage and the policy
 * directory live in one temporary directory, deleted when the resource stops (or, failing that,
 * when the JVM exits).
 */
public final class ClusterResource implements QuarkusTestResourceLifecycleManager {
  /** The ConfigMap the verifier watches for policies, and its namespace. */
  public static final String CONFIG_MAP = "tollgate-policies";

  public static final String CONFIG_MAP_NAMESPACE = "tollgate-system";

  private KubernetesMockServer server;
  private KubernetesClient client;
  private RegistryServer registry;
  private RegistryServer spare;
  private FlakyApiServer api;
  private Path policies;
  private TemporaryDirectory state;

  @Override
  public Map<String, String> start() {
    Prerequisites.requireRegistry();
    state = TemporaryDirectory.create("tollgate-cluster-");
    try {
      server =
          new KubernetesMockServer(
              new io.fabric8.mockwebserver.Context(),
              new MockWebServer(),
              new HashMap<>(),
              api = new FlakyApiServer(),
              false);
      server.init();
      client = server.createClient();
      for (String crd : List.of("pipelineruns", "taskruns")) {
        try (InputStream yaml =
            ClusterResource.class.getResourceAsStream("/tekton/" + crd + ".crd.yaml")) {
          client.apiextensions().v1().customResourceDefinitions().load(yaml).create();
        }
      }
      registry = RegistryServer.start(Files.createDirectories(state.path().resolve("registry")));
      state.closeFirstAtExit(registry);
      spare = RegistryServer.start(Files.createDirectories(state.path().resolve("spare")));
      state.closeFirstAtExit(spare);
      policies = Files.createDirectories(state.path().resolve("policies"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Map<String, String> config = new HashMap<>();
    config.put(
        "tollgate.verifier.cluster.api-server-url", client.getConfiguration().getMasterUrl());
    config.put("tollgate.verifier.registry.plain-http", registry.host() + "," + spare.host());
    config.put("tollgate.verifier.policies.directory", policies.toString());
    config.put("tollgate.verifier.policies.reload-interval", "PT0.2S");
    config.put("tollgate.verifier.retry.max-attempts", "4");
    config.put("tollgate.verifier.policies.config-map", CONFIG_MAP);
    config.put("tollgate.verifier.policies.config-map-namespace", CONFIG_MAP_NAMESPACE);
    config.put("tollgate.verifier.trust.directory", policies.toString());
    config.put("tollgate.verifier.retry.initial-backoff", "PT0.05S");
    // Longer than any test, so whether a redelivery finds the bundle's tag cached never depends on
    // how fast the machine is.
    config.put("tollgate.verifier.registry.tag-cache.ttl", "PT10M");
    return config;
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        new TestCluster(client, registry, policies, api, spare),
        new TestInjector.MatchesType(TestCluster.class));
  }

  @Override
  public void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.destroy();
    }
    for (RegistryServer r : new RegistryServer[] {registry, spare}) {
      if (r != null) {
        r.close();
      }
    }
    if (state != null) {
      state.close();
    }
  }
}
