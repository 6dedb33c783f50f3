package dev.tollgate.verifier.handling;

import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.cluster.ClusterClient;
import dev.tollgate.verifier.decide.Decider;
import dev.tollgate.verifier.decide.Decision;
import dev.tollgate.verifier.decide.PolicySnapshot;
import dev.tollgate.verifier.decide.Ruling;
import dev.tollgate.verifier.decide.TriggerFreshness;
import dev.tollgate.verifier.launch.RunLauncher;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.verify.BundleVerification;
import dev.tollgate.verifier.verify.CachingBundleVerification;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;

/**
 * One trigger from start to decision: waits until the policies in force are known, has the {@link
 * Decider} rule on it, and hands an admission, and only an admission, to the {@link RunLauncher}.
 * Holds no rule of its own.
 */
@ApplicationScoped
public class TriggerHandler {
  private static final Duration POLICIES_LOAD_WAIT = Duration.ofSeconds(30);

  private final PolicySet policies;
  private final Approvals approvals;
  private final BundleVerification verification;
  private final RunLauncher launcher;

  private final TriggerFreshness freshness;
  private final Clock clock;

  @Inject
  public TriggerHandler(
      PolicySet policies,
      Approvals approvals,
      BundleVerification verification,
      RunLauncher launcher,
      VerifierConfig config) {
    this(policies, approvals, verification, launcher, freshness(config), Clock.systemUTC());
  }

  /** The handler deciding on {@code clock} under {@code freshness}. */
  public TriggerHandler(
      PolicySet policies,
      Approvals approvals,
      BundleVerification verification,
      RunLauncher launcher,
      TriggerFreshness freshness,
      Clock clock) {
    this.policies = policies;
    this.approvals = approvals;
    this.verification = verification;
    this.launcher = launcher;
    this.freshness = freshness;
    this.clock = clock;
  }

  /** The service's parts over {@code cluster} and {@code config}, without metrics: for tests. */
  public static TriggerHandler create(
      PolicySet policies, Approvals approvals, ClusterClient cluster, VerifierConfig config) {
    return new TriggerHandler(
        policies,
        approvals,
        new CachingBundleVerification(config, new SimpleMeterRegistry()),
        new RunLauncher(cluster, config),
        config);
  }

  /** The freshness bounds {@code config} sets. */
  public static TriggerFreshness freshness(VerifierConfig config) {
    return new TriggerFreshness(config.trigger().maxAge(), config.trigger().maxClockSkew());
  }

  /** The decision for one trigger. */
  public Decision handle(TriggerEvent trigger) {
    PolicySnapshot snapshot;
    try {
      snapshot =
          policies.awaitLoaded(POLICIES_LOAD_WAIT)
              ? PolicySnapshot.of(policies.policies(), policies.namespaceRules())
              : PolicySnapshot.notLoaded();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Decider.interrupted().decision();
    }
    Ruling ruling =
        Decider.decide(trigger, clock.instant(), freshness, snapshot, approvals, verification);
    if (ruling instanceof Ruling.Admit admit) {
      return launcher.launch(trigger, admit);
    }
    return ((Ruling.Refuse) ruling).decision();
  }
}
