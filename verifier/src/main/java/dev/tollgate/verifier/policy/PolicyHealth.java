package dev.tollgate.verifier.policy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Shows on {@code /q/health/ready} which policies are in force and why the last change to the
 * policy directory was not taken (file, field, why). Always up: a broken file leaves the previous
 * policies deciding, which is what should happen, so it must not take the verifier out of service.
 */
@Readiness
@ApplicationScoped
public class PolicyHealth implements HealthCheck {
  private final PolicySet policies;

  @Inject
  public PolicyHealth(PolicySet policies) {
    this.policies = policies;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named("trigger-policies")
            .up()
            .withData(
                "inForce",
                String.join(
                    ",",
                    policies.policies().stream().map(p -> p.name() + "@" + p.version()).toList()));
    int i = 0;
    for (PolicyException e : policies.errors()) {
      b.withData("rejected." + i++, e.file() + ": " + e.field() + ": " + e.why());
    }
    return b.build();
  }
}
