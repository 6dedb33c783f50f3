package dev.tollgate.verifier.admission;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.decision.Decision;
import dev.tollgate.verifier.engine.RegistryLookups;
import dev.tollgate.verifier.engine.TektonBundleVerifier;
import dev.tollgate.verifier.engine.VerificationPolicy;
import dev.tollgate.verifier.namespace.NamespaceRules;
import dev.tollgate.verifier.namespace.TenantProvisioner;
import dev.tollgate.verifier.oci.ImageReference;
import dev.tollgate.verifier.oci.OciException;
import dev.tollgate.verifier.oci.OciSource;
import dev.tollgate.verifier.oci.TagCache;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.ApprovalsUnavailableException;
import dev.tollgate.verifier.policy.ParamBinding;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.policy.SenderCheck;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Verdict;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.signature.TrustException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Decides one trigger: the policy that matches it, its sender, its namespace, its parameters and
 * its bundle; then, when everything holds (or the policy audits), the tenant namespace's secure
 * defaults and the one PipelineRun, pinned to the verified digest. Registry and cluster errors are
 * retried with bounded backoff; when retries run out the decision is {@code error} and nothing
 * runs. Nothing is admitted by default.
 */
@ApplicationScoped
public class Admission {
  public static final String PARAM_UNBOUND = "PARAM_UNBOUND";
  public static final String BUNDLE_VERIFIED = "BUNDLE_VERIFIED";
  public static final String REGISTRY_UNAVAILABLE = "REGISTRY_UNAVAILABLE";
  public static final String CLUSTER_UNAVAILABLE = "CLUSTER_UNAVAILABLE";
  public static final String TRUST_CONFIGURATION_INVALID = "TRUST_CONFIGURATION_INVALID";
  public static final String NAMESPACE_PROVISIONED = "NAMESPACE_PROVISIONED";
  public static final String PIPELINE_RUN_EXISTS = "PIPELINE_RUN_EXISTS";
  public static final String BUNDLE_NOT_PINNED = "BUNDLE_NOT_PINNED";

  public static final String APPROVALS_UNAVAILABLE = "APPROVALS_UNAVAILABLE";
  public static final String AUDIT_PREFIX = "[audit mode: admitted anyway] ";
  public static final String POLICIES_NOT_LOADED = "POLICIES_NOT_LOADED";
  private static final java.time.Duration POLICIES_LOAD_WAIT = java.time.Duration.ofSeconds(30);

  private static final Logger LOG = Logger.getLogger(Admission.class);

  private final PolicySet policies;
  private final Approvals approvals;
  private final ClusterClient cluster;
  private final VerifierConfig config;
  private final Backoff backoff;
  private final MeterRegistry meters;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, TektonBundleVerifier> verifiers = new ConcurrentHashMap<>();

  /** The one bounded executor for registry lookups of every verifier; closed with the service. */
  private final RegistryLookups lookups;

  /** One for every trust configuration: a tag's digest is verified under whichever asks. */
  private final TagCache tags;

  private volatile OciSource registry;

  /** Without metrics: for tests and tools. */
  public Admission(
      PolicySet policies, Approvals approvals, ClusterClient cluster, VerifierConfig config) {
    this(policies, approvals, cluster, config, new SimpleMeterRegistry());
  }

  @Inject
  public Admission(
      PolicySet policies,
      Approvals approvals,
      ClusterClient cluster,
      VerifierConfig config,
      MeterRegistry meters) {
    this.policies = policies;
    this.approvals = approvals;
    this.cluster = cluster;
    this.config = config;
    this.meters = meters;
    this.backoff =
        new Backoff(
            config.retry().maxAttempts(),
            config.retry().initialBackoff(),
            config.retry().maxBackoff());
    this.tags =
        TagCache.create(
            config.registry().tagCache().ttl(), config.registry().tagCache().maxEntries());
    this.lookups = RegistryLookups.create(config.registry().lookupThreads());
  }

  @PreDestroy
  void close() {
    lookups.close();
  }

  /** The decision for one trigger. */
  public Decision decide(TriggerEvent trigger) {
    try {
      if (!policies.awaitLoaded(POLICIES_LOAD_WAIT)) {
        return new Decision.Failed(
            new Reason(
                POLICIES_NOT_LOADED,
                "The policy ConfigMap has not been read yet, so the policies in force are not"
                    + " known",
                "Check the verifier's access to the Kubernetes API (get, list and watch on the"
                    + " ConfigMap), then redeliver the trigger; nothing ran."));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return interrupted();
    }
    try {
      approvals.record(trigger);
    } catch (ApprovalsUnavailableException e) {
      return approvalsUnavailable(null, Decision.Evidence.NONE, e);
    }
    PolicySet.Selection selection = policies.select(trigger);
    if (selection.policy().isEmpty()) {
      Reason why = selection.none().orElseThrow();
      if (PolicySet.POLICY_AMBIGUOUS.equals(why.code())) {
        return new Decision.Denied(null, List.of(why));
      }
      return new Decision.Ignored(why);
    }
    TriggerPolicy policy = selection.policy().get();
    DecisionEvent.PolicyRef ref = new DecisionEvent.PolicyRef(policy.name(), policy.version());
    boolean audit = policy.mode() == TriggerPolicy.Mode.AUDIT;
    Decision.Evidence evidence = Decision.Evidence.of(policy.mode());

    // Never relaxed by audit mode: where runs go and what they run with.
    List<Reason> hard = new ArrayList<>();
    NamespaceRules.forbidden(policy.run().namespace()).ifPresent(hard::add);
    ParamBinding.Bound bound = ParamBinding.bind(policy.run().params(), selection.trigger());
    if (!bound.unbound().isEmpty()) {
      hard.add(
          new Reason(
              PARAM_UNBOUND,
              "Parameters of policy "
                  + policy.name()
                  + " did not bind: "
                  + String.join(", ", bound.unbound()),
              "Fix spec.run.params to name fields this trigger has, or narrow spec.match to"
                  + " triggers that have them."));
    }
    List<Reason> violations;
    try {
      violations = new ArrayList<>(SenderCheck.violations(policy.sender(), trigger, approvals));
    } catch (ApprovalsUnavailableException e) {
      return approvalsUnavailable(ref, evidence, e);
    }
    if (!hard.isEmpty() || (!audit && !violations.isEmpty())) {
      hard.addAll(violations);
      return new Decision.Denied(ref, hard, evidence.withViolations(hard));
    }

    VerificationReport report;
    try {
      report = verify(policy);
    } catch (TrustException | OciException e) {
      return new Decision.Failed(
          ref,
          new Reason(
              TRUST_CONFIGURATION_INVALID,
              "Policy "
                  + policy.name()
                  + ": the trust configuration cannot be used: "
                  + e.getMessage(),
              "Fix the file spec.trust.policyFile names; nothing runs under this policy until then."),
          evidence.withViolations(violations));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return interrupted();
    }
    evidence = evidence.withVerification(report);
    if (report.verdict() == Verdict.TRANSIENT_ERROR) {
      return new Decision.Failed(
          ref,
          new Reason(
              REGISTRY_UNAVAILABLE,
              "Bundle "
                  + policy.run().bundle()
                  + " could not be verified after "
                  + backoff.maxAttempts()
                  + " attempts: "
                  + summary(report.problems()),
              "Check the registry's availability and the verifier's access to it, then redeliver"
                  + " the trigger; nothing ran."),
          evidence.withViolations(violations));
    }
    for (Check c : report.problems()) {
      violations.add(reason(c));
    }
    Optional<String> pinned = digestOnly(report.pinned());
    if (pinned.isEmpty()) {
      violations.add(
          new Reason(
              BUNDLE_NOT_PINNED,
              "Bundle " + policy.run().bundle() + " did not resolve to a digest",
              "Push the bundle and check spec.run.bundle."));
      return new Decision.Denied(ref, violations, evidence.withViolations(violations));
    }
    evidence = evidence.withViolations(violations);
    if (!audit && !violations.isEmpty()) {
      return new Decision.Denied(ref, violations, evidence);
    }
    List<Reason> notes = new ArrayList<>();
    for (Reason v : violations) {
      notes.add(new Reason(v.code(), AUDIT_PREFIX + v.message(), v.remediation()));
    }
    if (report.verified()) {
      notes.add(
          new Reason(
              BUNDLE_VERIFIED,
              "Bundle "
                  + report.pinned().get()
                  + " verified: "
                  + report.checks().size()
                  + " checks passed under trust configuration "
                  + report.trustFingerprint()
                  + (report.cached() ? " (cached result)" : "")
                  + resolution(report),
              null));
    }
    return run(trigger, policy, ref, pinned.get(), bound.values(), notes, evidence);
  }

  /** How the digest was reached, e.g. "; tag v1 resolved at ... (cached, ttl 30s) to ...". */
  private static String resolution(VerificationReport report) {
    return report.checks().stream()
        .filter(c -> c.name().equals("bundle.resolve") && c.evidence().containsKey("tag"))
        .findFirst()
        .map(c -> "; " + c.message())
        .orElse("");
  }

  private static Decision approvalsUnavailable(
      DecisionEvent.PolicyRef ref, Decision.Evidence evidence, ApprovalsUnavailableException e) {
    return new Decision.Failed(
        ref,
        new Reason(
            APPROVALS_UNAVAILABLE,
            "The /ok-to-test approvals could not be read or written: " + e.getMessage(),
            "Check the verifier's access to Kafka and the approvals topic, then redeliver the"
                + " trigger (or comment /ok-to-test again); nothing ran."),
        evidence);
  }

  private Decision run(
      TriggerEvent trigger,
      TriggerPolicy policy,
      DecisionEvent.PolicyRef ref,
      String pinned,
      Map<String, String> params,
      List<Reason> notes,
      Decision.Evidence evidence) {
    String namespace = policy.run().namespace();
    PipelineRun wanted =
        PipelineRuns.build(
            trigger.triggerId(), Ids.decision(trigger.triggerId()), policy, pinned, params);
    KubernetesClientException last = null;
    for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
      try {
        if (attempt > 1) {
          backoff.pause(attempt);
        }
        TenantProvisioner.Report provisioned =
            new TenantProvisioner(cluster.get(), defaults()).provision(namespace);
        List<Reason> reasons = new ArrayList<>(notes);
        if (provisioned.changedAnything()) {
          reasons.add(
              new Reason(
                  NAMESPACE_PROVISIONED,
                  provisioned.summary(),
                  "Nothing to do: Tollgate keeps tenant namespaces at their secure defaults."));
        }
        PipelineRun run = create(wanted, reasons);
        String bundle = PipelineRuns.bundle(run).orElse(pinned);
        return new Decision.Admitted(
            ref,
            new DecisionEvent.PipelineRunRef(namespace, run.getMetadata().getName(), bundle),
            reasons,
            evidence.withNamespace(provisioned));
      } catch (KubernetesClientException e) {
        last = e;
        if (!transientError(e)) {
          break;
        }
        LOG.warnf(
            "trigger %s: cluster error (attempt %d of %d): %s",
            trigger.triggerId(), attempt, backoff.maxAttempts(), clusterMessage(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return interrupted();
      }
    }
    return new Decision.Failed(
        ref,
        new Reason(
            CLUSTER_UNAVAILABLE,
            "The PipelineRun for policy "
                + policy.name()
                + " in namespace "
                + namespace
                + " could not be created after "
                + backoff.maxAttempts()
                + " attempts: "
                + (last == null ? "?" : clusterMessage(last)),
            "Check the verifier's access to the Kubernetes API server and its RBAC, then redeliver"
                + " the trigger; nothing ran."),
        evidence);
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
          new Reason(
              PIPELINE_RUN_EXISTS,
              "PipelineRun "
                  + wanted.getMetadata().getNamespace()
                  + "/"
                  + wanted.getMetadata().getName()
                  + " already exists for this trigger; no second run was started",
              null));
      return existing;
    }
  }

  private VerificationReport verify(TriggerPolicy policy)
      throws TrustException, OciException, InterruptedException {
    TektonBundleVerifier verifier = verifier(policy.trust());
    VerificationReport report = null;
    for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
      if (attempt > 1) {
        backoff.pause(attempt);
      }
      long started = System.nanoTime();
      report = verifier.verify(policy.run().bundle(), policy.run().pipeline());
      Timer.builder("tollgate.verifier.verification")
          .description("Bundle verifications: resolve, signatures, contents, scans, provenance")
          .tag("verdict", report.verdict().name().toLowerCase(Locale.ROOT))
          .tag("cached", Boolean.toString(report.cached()))
          .publishPercentileHistogram()
          .register(meters)
          .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      if (report.verdict() != Verdict.TRANSIENT_ERROR) {
        return report;
      }
    }
    return report;
  }

  private TektonBundleVerifier verifier(VerificationPolicy trust)
      throws TrustException, OciException {
    TektonBundleVerifier v = verifiers.get(trust.fingerprint());
    if (v == null) {
      v = TektonBundleVerifier.create(registry(), trust, clock, tags, lookups);
      verifiers.put(trust.fingerprint(), v);
    }
    return v;
  }

  private OciSource registry() throws OciException {
    if (registry == null) {
      registry = RegistryAccess.client(config.registry());
    }
    return registry;
  }

  private TenantProvisioner.Defaults defaults() {
    VerifierConfig.Tenants t = config.tenants();
    return new TenantProvisioner.Defaults(
        t.egressCidrs().orElse(List.of()),
        t.workspaceSize(),
        t.quotaPods(),
        t.quotaCpu(),
        t.quotaMemory(),
        t.defaultCpu(),
        t.defaultMemory());
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

  /** {@code repository@sha256:...}: the verified digest and nothing a tag could move. */
  private static Optional<String> digestOnly(Optional<String> pinned) {
    if (pinned.isEmpty()) {
      return Optional.empty();
    }
    try {
      ImageReference r = ImageReference.parse(pinned.get());
      return r.digest().map(d -> r.repository() + "@" + d);
    } catch (OciException e) {
      return Optional.empty();
    }
  }

  private static Reason reason(Check c) {
    return new Reason(
        c.code(),
        c.name() + " · " + c.subject() + ": " + c.message(),
        c.remediation().orElse(null));
  }

  private static String summary(List<Check> problems) {
    return problems.stream()
        .map(c -> c.code() + " (" + c.subject() + ")")
        .distinct()
        .toList()
        .toString();
  }

  private static Decision interrupted() {
    return new Decision.Failed(
        new Reason(
            "INTERRUPTED", "The verifier was stopped while deciding", "Redeliver the trigger."));
  }
}
