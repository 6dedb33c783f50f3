package dev.tollgate.gateway.github;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Makes the application's one {@link SignatureVerifier} from the configured webhook secrets, at
 * startup: a gateway without a usable secret refuses to start rather than answer every delivery
 * with 401, or worse, admit them.
 */
@Dependent
public class SignatureVerifiers {

  private static final Logger LOG = Logger.getLogger(SignatureVerifiers.class);

  /**
   * The verifier over {@value WebhookSecrets#PROPERTY}.
   *
   * @throws ConfigurationException naming the variable, never its value, when it is unset or
   *     unusable
   */
  @Produces
  @Singleton
  @Startup
  static SignatureVerifier fromConfig(
      @ConfigProperty(name = WebhookSecrets.PROPERTY) Optional<String> configured) {
    return new SignatureVerifier(secrets(configured));
  }

  static WebhookSecrets secrets(Optional<String> configured) {
    return secrets(configured, Instant.now());
  }

  static WebhookSecrets secrets(Optional<String> configured, Instant now) {
    if (configured.isEmpty() || configured.get().isBlank()) {
      throw configurationError(
          "is not set. The gateway cannot authenticate GitHub deliveries without it: set it to the"
              + " secret of the GitHub webhook (several, comma-separated, while rotating; each may"
              + " end in @<ISO-8601 instant> after which it no longer verifies).");
    }
    WebhookSecrets secrets;
    try {
      secrets = WebhookSecrets.parse(configured.get());
    } catch (IllegalArgumentException e) {
      throw configurationError("is unusable: " + e.getMessage() + ".");
    }
    if (secrets.activeCount(now) == 0) {
      throw configurationError(
          "has only secrets whose not-after has passed. Add the webhook's current secret.");
    }
    LOG.infof(
        "webhook secrets: %d configured, %d active, next expiry %s",
        secrets.count(),
        secrets.activeCount(now),
        secrets.nextExpiry(now).map(Instant::toString).orElse("none"));
    return secrets;
  }

  private static ConfigurationException configurationError(String problem) {
    return new ConfigurationException(
        WebhookSecrets.ENVIRONMENT_VARIABLE
            + " (config property "
            + WebhookSecrets.PROPERTY
            + ") "
            + problem,
        Set.of(WebhookSecrets.PROPERTY));
  }
}
