package dev.tollgate.verifier.namespace;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * What the API server says about Tollgate's own objects in tenant namespaces (those labelled
 * {@value NamespaceRules#MANAGED_BY}={@value NamespaceRules#TOLLGATE}), kept current by one watch
 * per kind, so that checking a namespace that already has its secure defaults costs no request.
 *
 * <p>The watched copy only ever confirms: an object the watch holds and that is what it must be is
 * not read again; an object it does not hold (missing, not labelled, not yet seen), or holds in a
 * form that differs, is read from the API server as before and created or repaired from that read.
 * While a kind's watch is not connected (not yet listed, reconnecting, or refused by RBAC) nothing
 * of that kind is confirmed from it. An object changed on the API server is therefore checked
 * against its new form as soon as the watch delivers the change, which is also the moment a read
 * would have seen it at the earliest.
 */
public final class TenantObjectWatch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TenantObjectWatch.class);

  /** How long starting waits for the first listing of every kind; after that, reads are used. */
  private static final Duration START_WAIT = Duration.ofSeconds(5);

  private final Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>>
      informers;

  private TenantObjectWatch(
      Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> informers) {
    this.informers = informers;
  }

  /**
   * Starts watching every kind a tenant namespace holds, in every namespace, selected by Tollgate's
   * label, and waits (at most a few seconds) for each kind's first listing. A kind whose watch
   * cannot start is simply never confirmed from: every check of it reads.
   */
  public static TenantObjectWatch start(KubernetesClient client) {
    Map<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> informers =
        new LinkedHashMap<>();
    String by = NamespaceRules.MANAGED_BY;
    String tollgate = NamespaceRules.TOLLGATE;
    informers.put(Namespace.class, client.namespaces().withLabel(by, tollgate).runnableInformer(0));
    informers.put(
        ServiceAccount.class,
        client.serviceAccounts().inAnyNamespace().withLabel(by, tollgate).runnableInformer(0));
    informers.put(
        Role.class,
        client.rbac().roles().inAnyNamespace().withLabel(by, tollgate).runnableInformer(0));
    informers.put(
        RoleBinding.class,
        client.rbac().roleBindings().inAnyNamespace().withLabel(by, tollgate).runnableInformer(0));
    informers.put(
        NetworkPolicy.class,
        client
            .network()
            .v1()
            .networkPolicies()
            .inAnyNamespace()
            .withLabel(by, tollgate)
            .runnableInformer(0));
    informers.put(
        PersistentVolumeClaim.class,
        client
            .persistentVolumeClaims()
            .inAnyNamespace()
            .withLabel(by, tollgate)
            .runnableInformer(0));
    informers.put(
        ResourceQuota.class,
        client.resourceQuotas().inAnyNamespace().withLabel(by, tollgate).runnableInformer(0));
    informers.put(
        LimitRange.class,
        client.limitRanges().inAnyNamespace().withLabel(by, tollgate).runnableInformer(0));
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    for (Map.Entry<Class<? extends HasMetadata>, SharedIndexInformer<? extends HasMetadata>> e :
        informers.entrySet()) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        e.getValue().start().toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException
          | KubernetesClientException failed) {
        // Not fatal: this kind is read on every check until its watch connects.
        LOG.warnf(
            "watching %s in tenant namespaces did not start (%s); each check of one reads it",
            e.getKey().getSimpleName(), failed.getClass().getSimpleName());
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return new TenantObjectWatch(informers);
  }

  /**
   * The watched copy of {@code kind} {@code namespace}/{@code name} (a namespace: {@code name}
   * only, {@code namespace} null), or null when the watch does not hold it or is not connected.
   */
  public <T extends HasMetadata> T current(Class<T> kind, String namespace, String name) {
    SharedIndexInformer<? extends HasMetadata> informer = informers.get(kind);
    if (informer == null || !informer.hasSynced() || !informer.isWatching()) {
      return null;
    }
    HasMetadata found =
        informer
            .getStore()
            .getByKey(namespace == null ? name : Cache.namespaceKeyFunc(namespace, name));
    return kind.isInstance(found) ? kind.cast(found) : null;
  }

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::close);
  }
}
