package dev.tollgate.verifier.cluster;

import dev.tollgate.verifier.VerifierConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The verifier's one Kubernetes client, built on first use so the service starts (and keeps
 * deciding) without a cluster: only an admission needs one. The API server is {@code
 * tollgate.verifier.cluster.api-server-url} when set, else the in-cluster service account or
 * kubeconfig.
 */
@ApplicationScoped
public class ClusterClient {
  private final Optional<String> apiServerUrl;
  private KubernetesClient client;

  @Inject
  public ClusterClient(VerifierConfig config) {
    this.apiServerUrl = config.cluster().apiServerUrl();
  }

  /** The client; building it contacts nothing. */
  public synchronized KubernetesClient get() {
    if (client == null) {
      Config config =
          apiServerUrl
              .map(
                  url ->
                      new ConfigBuilder(Config.empty())
                          .withMasterUrl(url)
                          .withTrustCerts(false)
                          .build())
              .orElseGet(() -> Config.autoConfigure(null));
      config.setRequestRetryBackoffLimit(0);
      client = new KubernetesClientBuilder().withConfig(config).build();
    }
    return client;
  }

  void onStop(@Observes ShutdownEvent event) {
    synchronized (this) {
      if (client != null) {
        client.close();
      }
    }
  }
}
