package dev.tollgate.verifier.cluster;

import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.policy.PolicySet;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Feeds the TriggerPolicies of one ConfigMap ({@code tollgate.verifier.policies.config-map}) into
 * the {@link PolicySet}, through a watch on the Kubernetes API: a change is taken within moments,
 * an invalid one is reported and the previous set stays, a deleted ConfigMap removes its policies.
 * Lives in the cluster package with the client: the policy rules themselves never see the cluster.
 */
@ApplicationScoped
public class PolicyConfigMapWatch {
  private static final Logger LOG = Logger.getLogger(PolicyConfigMapWatch.class);

  private final PolicySet policies;
  private final ClusterClient cluster;
  private final Optional<String> name;
  private final Optional<String> namespace;
  private final Path trustDirectory;
  private final long retryMillis;
  private SharedIndexInformer<ConfigMap> informer;
  private ScheduledExecutorService retry;

  @Inject
  public PolicyConfigMapWatch(PolicySet policies, ClusterClient cluster, VerifierConfig config) {
    this.policies = policies;
    this.cluster = cluster;
    this.name = config.policies().configMap();
    this.namespace = config.policies().configMapNamespace();
    this.trustDirectory = config.trust().directory();
    this.retryMillis = Math.max(100, config.policies().reloadInterval().toMillis());
  }

  void onStart(@Observes StartupEvent event) {
    if (name.isEmpty()) {
      return;
    }
    policies.expectConfigMap();
    retry =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tollgate-policy-configmap");
              t.setDaemon(true);
              return t;
            });
    retry.execute(this::start);
  }

  /** Starts the watch; until the API server answers, tries again every reload interval. */
  private void start() {
    KubernetesClient client = cluster.get();
    String ns = namespace.orElseGet(client::getNamespace);
    String origin = "configmap/" + ns + "/" + name.get();
    try {
      SharedIndexInformer<ConfigMap> i =
          client
              .configMaps()
              .inNamespace(ns)
              .withName(name.get())
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(ConfigMap cm) {
                      take(origin, cm);
                    }

                    @Override
                    public void onUpdate(ConfigMap before, ConfigMap after) {
                      take(origin, after);
                    }

                    @Override
                    public void onDelete(ConfigMap cm, boolean finalStateUnknown) {
                      LOG.warnf("%s was deleted: its policies are no longer in force", origin);
                      policies.fromConfigMap(origin, Map.of(), trustDirectory);
                    }
                  });
      synchronized (this) {
        informer = i;
      }
      if (i.getStore().list().isEmpty()) {
        LOG.warnf("%s does not exist (yet): no policies from it", origin);
        policies.fromConfigMap(origin, Map.of(), trustDirectory);
      }
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "cannot watch %s (%s); trying again in %d ms",
          origin,
          e.getCode() == 0 ? e.getClass().getSimpleName() : "HTTP " + e.getCode(),
          retryMillis);
      retry.schedule(this::start, retryMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void take(String origin, ConfigMap cm) {
    Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
    boolean taken = policies.fromConfigMap(origin, data, trustDirectory);
    LOG.infof(
        "%s (resourceVersion %s) %s",
        origin,
        cm.getMetadata().getResourceVersion(),
        taken ? "taken" : "not taken; see the policy errors");
  }

  void onStop(@Observes ShutdownEvent event) {
    synchronized (this) {
      if (informer != null) {
        informer.close();
      }
    }
    if (retry != null) {
      retry.shutdownNow();
    }
  }
}
