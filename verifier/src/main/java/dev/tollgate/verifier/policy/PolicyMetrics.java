package dev.tollgate.verifier.policy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The policy set as metrics, beside {@link PolicyHealth}: how many policies are in force and how
 * many were refused at the last read ({@code tollgate_verifier_policies_rejected}), so a policy
 * change or a rotated trust Secret that did not load (the previous set still deciding) is seen on a
 * dashboard, not only in the log.
 */
@ApplicationScoped
public class PolicyMetrics {
  /** {@code tollgate_verifier_policies_rejected} in Prometheus. */
  public static final String REJECTED = "tollgate.verifier.policies.rejected";

  /** {@code tollgate_verifier_policies_in_force} in Prometheus. */
  public static final String IN_FORCE = "tollgate.verifier.policies.in.force";

  private final PolicySet policies;
  private final MeterRegistry meters;

  @Inject
  public PolicyMetrics(PolicySet policies, MeterRegistry meters) {
    this.policies = policies;
    this.meters = meters;
  }

  void onStart(@Observes StartupEvent event) {
    register();
  }

  /** Registers the gauges; they read the set each time they are scraped. */
  public void register() {
    Gauge.builder(REJECTED, policies, p -> p.errors().size())
        .description(
            "Policies (or their trust configuration) refused at the last read; the previous set"
                + " stays in force")
        .register(meters);
    Gauge.builder(IN_FORCE, policies, p -> p.policies().size())
        .description("TriggerPolicies in force")
        .register(meters);
  }
}
