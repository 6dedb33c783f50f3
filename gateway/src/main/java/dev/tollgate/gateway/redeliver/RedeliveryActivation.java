package dev.tollgate.gateway.redeliver;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.identity.GitHubCredentials;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Whether the {@link RedeliveryJob} is on: decided once at startup from its settings and the
 * credentials the gateway has, said in a log line (under the job's logger).
 */
final class RedeliveryActivation {

  private static final Logger LOG = Logger.getLogger(RedeliveryJob.class);
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

  private RedeliveryActivation() {}

  /**
   * Whether the job runs here: on where the credentials can list the hook's deliveries, unless
   * {@code enabled=false}; {@code enabled=true} without them, or a malformed repository webhook,
   * stops the gateway with a {@link ConfigurationException}. {@code hookId} is the configured
   * hook's id, as the log line names it.
   */
  static boolean runsHere(
      GatewayConfig.Redelivery config, GitHubCredentials credentials, String hookId) {
    if (config.repository().isPresent()
        && (!REPOSITORY.matcher(config.repository().get()).matches()
            || config.hookId().isEmpty())) {
      throw new ConfigurationException(
          "tollgate.gateway.redelivery.repository must be owner/name and hook-id must be set",
          Set.of("tollgate.gateway.redelivery.repository", "tollgate.gateway.redelivery.hook-id"));
    }
    if (config.enabled().isPresent() && !config.enabled().get()) {
      LOG.info("redelivery: off (tollgate.gateway.redelivery.enabled=false)");
      return false;
    }
    Optional<String> missing = missingCredentials(config, credentials);
    if (missing.isEmpty()) {
      LOG.infof(
          "redelivery: on for %s, every %s, looking back %s (on the leading replica only)",
          config.repository().map(r -> r + " hook " + hookId).orElse("the GitHub App's hook"),
          config.every(),
          config.lookback());
      return true;
    }
    if (config.enabled().isPresent()) {
      throw new ConfigurationException(
          "tollgate.gateway.redelivery.enabled=true but " + missing.get(),
          Set.of(GitHubCredentials.TOKEN_PROPERTY, GitHubCredentials.APP_ID_PROPERTY));
    }
    LOG.warnf(
        "redelivery: off, %s: deliveries GitHub fails to make while the gateway is down are not"
            + " asked for again",
        missing.get());
    return false;
  }

  private static Optional<String> missingCredentials(
      GatewayConfig.Redelivery config, GitHubCredentials credentials) {
    if (config.repository().isPresent()) {
      return credentials.configured() && !credentials.isApp()
          ? Optional.empty()
          : Optional.of(
              "a repository webhook's deliveries need "
                  + GitHubCredentials.TOKEN_PROPERTY
                  + " (a token with admin:repo_hook)");
    }
    return credentials.isApp()
        ? Optional.empty()
        : Optional.of(
            "no GitHub App credentials ("
                + GitHubCredentials.APP_ID_PROPERTY
                + ", "
                + GitHubCredentials.APP_KEY_PROPERTY
                + ") for the App's webhook, and no repository webhook"
                + " (tollgate.gateway.redelivery.repository, hook-id, with "
                + GitHubCredentials.TOKEN_PROPERTY
                + ")");
  }
}
