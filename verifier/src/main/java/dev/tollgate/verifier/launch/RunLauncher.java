package dev.tollgate.verifier.launch;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.cluster.ClusterClient;
import dev.tollgate.verifier.decide.Decision;
import dev.tollgate.verifier.decide.Ruling;
import dev.tollgate.verifier.namespace.NamespaceRefusedException;
import dev.tollgate.verifier.namespace.NamespaceRules;
import dev.tollgate.verifier.namespace.PullSecretSource;
import dev.tollgate.verifier.namespace.TenantObjectWatch;
import dev.tollgate.verifier.namespace.TenantProvisioner;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.retry.Backoff;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Carries out an admission and nothing else: brings the tenant namespace to its secure defaults,
 * then creates the one PipelineRun, pinned to the verified digest and named after the trigger, so
 * that a retry, a redelivery or a second replica finds it (409) instead of starting a second run.
 * Cluster errors that may pass are retried with bounded backoff; when retries run out the decision
 * is {@code error} and nothing runs. A namespace Tollgate may not use (reserved, or existing and
 * not handed to it) is a denial, never retried. The tenant objects are watched ({@link
 * TenantObjectWatch}, unless {@code tollgate.verifier.tenants.watch-objects} is false), so a
 * namespace already at its secure defaults is checked without a request and an admission there
 * costs one request: the PipelineRun's creation.
 */
@ApplicationScoped
public class RunLauncher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RunLauncher.class);

  private final ClusterClient cluster;
  private final TenantProvisioner.Defaults defaults;
  private final NamespaceRules namespaces;
  private final Backoff backoff;
  private final boolean watchObjects;

  /** Tollgate's objects in tenant namespaces, watched from the first admission on. */
  private TenantObjectWatch watch;

  @Inject
  public RunLauncher(ClusterClient cluster, VerifierConfig config) {
    this(
        cluster,
        defaults(config.tenants()),
        NamespaceRules.of(config.tenants()),
        Backoff.of(config.retry()),
        config.tenants().watchObjects());
  }

  /** A launcher that watches the tenant objects. */
  public RunLauncher(
      ClusterClient cluster,
      TenantProvisioner.Defaults defaults,
      NamespaceRules namespaces,
      Backoff backoff) {
    this(cluster, defaults, namespaces, backoff, true);
  }

  /** A launcher that watches the tenant objects when {@code watchObjects}, else reads them. */
  public RunLauncher(
      ClusterClient cluster,
      TenantProvisioner.Defaults defaults,
      NamespaceRules namespaces,
      Backoff backoff,
      boolean watchObjects) {
    this.watchObjects = watchObjects;
    this.cluster = cluster;
    this.defaults = defaults;
    this.namespaces = namespaces;
    this.backoff = backoff;
  }

  /**
   * The watch of tenant objects, started on first use with the cluster client (so the service
   * starts, and decides what needs no cluster, without one); null when not watching.
   */
  private synchronized TenantObjectWatch watch() {
    if (watch == null && watchObjects) {
      watch = TenantObjectWatch.start(cluster.get());
    }
    return watch;
  }

  /** Stops the watch, if one was started. */
  @PreDestroy
  @Override
  public synchronized void close() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }

  /** Runs what {@code admit} allows for {@code trigger}: an admission, or an error. */
  public Decision launch(TriggerEvent trigger, Ruling.Admit admit) {
    TriggerPolicy policy = admit.runUnder();
    String namespace = policy.run().namespace();
    PipelineRun wanted =
        PipelineRuns.build(
            trigger.triggerId(),
            Ids.decision(trigger.triggerId()),
            policy,
            admit.pinnedBundle(),
            admit.params());
    KubernetesClientException last = null;
    for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
      try {
        if (attempt > 1) {
          backoff.pause(attempt);
        }
        TenantProvisioner.Report provisioned =
            new TenantProvisioner(cluster.get(), defaults, namespaces, watch())
                .provision(namespace, policy.run().pullSecret());
        List<Reason> reasons = new ArrayList<>(admit.notes());
        if (provisioned.changedAnything()) {
          reasons.add(DecisionReason.NAMESPACE_PROVISIONED.reason(provisioned.summary()));
        }
        PipelineRun run = create(wanted, reasons);
        String bundle = PipelineRuns.bundle(run).orElse(admit.pinnedBundle());
        return new Decision.Admitted(
            admit.ref(),
            new DecisionEvent.PipelineRunRef(namespace, run.getMetadata().getName(), bundle),
            reasons,
            admit.evidence().withNamespace(provisioned));
      } catch (KubernetesClientException e) {
        last = e;
        if (!transientError(e)) {
          break;
        }
        LOG.warnf(
            "trigger %s: cluster error (attempt %d of %d): %s",
            trigger.triggerId(), attempt, backoff.maxAttempts(), clusterMessage(e));
      } catch (NamespaceRefusedException e) {
        // Not retried: only an administrator changes the answer. Nothing was written there.
        List<Reason> reasons = new ArrayList<>();
        reasons.add(e.reason());
        reasons.addAll(admit.notes());
        List<Reason> violations = new ArrayList<>(admit.evidence().violations());
        violations.add(e.reason());
        return new Decision.Denied(
            admit.ref(), reasons, admit.evidence().withViolations(violations));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Decision.Failed(
            DecisionReason.INTERRUPTED.reason("The verifier was stopped while deciding"));
      }
    }
    return new Decision.Failed(
        admit.ref(),
        DecisionReason.CLUSTER_UNAVAILABLE.reason(
            "The PipelineRun for policy "
                + policy.name()
                + " in namespace "
                + namespace
                + " could not be created after "
                + backoff.maxAttempts()
                + " attempts: "
                + (last == null ? "?" : clusterMessage(last))),
        admit.evidence());
  }

  /** Creates the run; a 409 means a retry, a redelivery or another replica already did. */
  private PipelineRun create(PipelineRun wanted, List<Reason> reasons) {
    var runs =
        cluster.get().resources(PipelineRun.class).inNamespace(wanted.getMetadata().getNamespace());
    try {
      return runs.resource(wanted).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      PipelineRun existing = runs.withName(wanted.getMetadata().getName()).get();
      if (existing == null) {
        throw e;
      }
      reasons.add(
          DecisionReason.PIPELINE_RUN_EXISTS.reason(
              "PipelineRun "
                  + wanted.getMetadata().getNamespace()
                  + "/"
                  + wanted.getMetadata().getName()
                  + " already exists for this trigger; no second run was started"));
      return existing;
    }
  }

  private static TenantProvisioner.Defaults defaults(VerifierConfig.Tenants t) {
    return new TenantProvisioner.Defaults(
        t.egressCidrs().orElse(List.of()),
        t.workspaceSize(),
        t.quotaPods(),
        t.quotaCpu(),
        t.quotaMemory(),
        t.defaultCpu(),
        t.defaultMemory(),
        t.pullSecrets().orElse(List.of()).stream().map(PullSecretSource::parse).toList());
  }

  private static boolean transientError(KubernetesClientException e) {
    int code = e.getCode();
    return code == 0 || code == 409 || code == 429 || code >= 500;
  }

  private static String clusterMessage(KubernetesClientException e) {
    return e.getCode() == 0
        ? "API server not reachable (" + e.getClass().getSimpleName() + ")"
        : "HTTP "
            + e.getCode()
            + " "
            + Optional.ofNullable(e.getStatus()).map(s -> s.getMessage()).orElse("");
  }
}
