package dev.tollgate.gateway.github;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready once every webhook secret's not-after has passed: every delivery would be refused, and
 * an operator should hear it from readiness rather than from GitHub's delivery log.
 */
@Readiness
@ApplicationScoped
public class WebhookSecretsHealth implements HealthCheck {

  @Inject SignatureVerifier verifier;

  @Override
  public HealthCheckResponse call() {
    WebhookSecrets secrets = verifier.secrets();
    int active = secrets.activeCount(verifier.now());
    return HealthCheckResponse.named("webhook-secrets")
        .status(active > 0)
        .withData("configured", secrets.count())
        .withData("active", active)
        .withData(
            "nextExpiry", secrets.nextExpiry(verifier.now()).map(Object::toString).orElse("none"))
        .build();
  }
}
