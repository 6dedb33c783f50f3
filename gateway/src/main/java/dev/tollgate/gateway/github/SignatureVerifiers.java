package dev.tollgate.gateway.github;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
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
   * When true, every webhook secret must name its hook ({@code
   * tollgate.github.webhook-secrets[i].hook-id}); an unbound secret refuses the start.
   */
  public static final String REQUIRE_HOOK_BINDING = "tollgate.github.require-hook-binding";

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
      @ConfigProperty(name = WebhookSecrets.PROPERTY) Optional<String> configured,
      @ConfigProperty(name = REQUIRE_HOOK_BINDING, defaultValue = "false")
          boolean requireHookBinding,
      Config config) {
    WebhookSecrets secrets = secrets(configured, indexed(config), Instant.now());
    requireBinding(secrets, requireHookBinding);
    return new SignatureVerifier(secrets);
  }

  /**
   * Refuses secrets bound to no hook when {@value #REQUIRE_HOOK_BINDING} is true.
   *
   * @throws ConfigurationException naming how many are unbound, never a value
   */
  static void requireBinding(WebhookSecrets secrets, boolean required) {
    int unbound = secrets.unboundCount();
    if (!required || unbound == 0) {
      if (unbound > 0) {
        LOG.infof(
            "%d webhook secret(s) are bound to no hook and verify deliveries of any hook; bind"
                + " each with %s[i].hook-id",
            unbound, WebhookSecrets.INDEXED_PROPERTY);
      }
      return;
    }
    throw new ConfigurationException(
        REQUIRE_HOOK_BINDING
            + "=true, but "
            + unbound
            + " of "
            + secrets.count()
            + " webhook secret(s) name no hook. Configure each as "
            + WebhookSecrets.INDEXED_PROPERTY
            + "[i].value with "
            + WebhookSecrets.INDEXED_PROPERTY
            + "[i].hook-id (the id GitHub sends as X-GitHub-Hook-ID; the comma-separated "
            + WebhookSecrets.PROPERTY
            + " form binds no hook).",
        Set.of(REQUIRE_HOOK_BINDING, WebhookSecrets.INDEXED_PROPERTY));
  }

  static WebhookSecrets secrets(Optional<String> configured) {
    return secrets(configured, Instant.now());
  }

  static WebhookSecrets secrets(Optional<String> configured, Instant now) {
    return secrets(configured, List.of(), now);
  }

  /**
   * The secrets of either form: {@value WebhookSecrets#PROPERTY} (comma-separated) or the indexed
   * {@value WebhookSecrets#INDEXED_PROPERTY}[i].value / .not-after. Both at once is refused: which
   * of them the operator meant to be current cannot be told.
   */
  static WebhookSecrets secrets(
      Optional<String> configured, List<WebhookSecrets.Entry> indexed, Instant now) {
    boolean commaForm = configured.isPresent() && !configured.get().isBlank();
    if (commaForm && !indexed.isEmpty()) {
      throw configurationError(
          "and "
              + WebhookSecrets.INDEXED_PROPERTY
              + "[i] are both set. Configure the webhook secrets in one of the two forms.");
    }
    if (!commaForm && indexed.isEmpty()) {
      throw configurationError(
          "is not set. The gateway cannot authenticate GitHub deliveries without it: set it to the"
              + " secret of the GitHub webhook (several, comma-separated, while rotating; each may"
              + " end in @<ISO-8601 instant> after which it no longer verifies), or set "
              + WebhookSecrets.INDEXED_PROPERTY
              + "[0].value (and optionally [0].not-after), [1].value, ...");
    }
    WebhookSecrets secrets;
    try {
      secrets = commaForm ? WebhookSecrets.parse(configured.get()) : WebhookSecrets.of(indexed);
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

  /** Upper bound on indices read; secrets are rotated, not collected. */
  static final int MAX_INDEXED = 32;

  /**
   * The indexed secrets, from index 0 up to the first index with neither a value, a not-after nor a
   * hook id.
   *
   * @throws ConfigurationException naming the index, never the value, for a not-after that is not
   *     an ISO-8601 instant or a not-after without a value
   */
  static List<WebhookSecrets.Entry> indexed(Config config) {
    List<WebhookSecrets.Entry> entries = new ArrayList<>();
    for (int i = 0; i < MAX_INDEXED; i++) {
      String prefix = WebhookSecrets.INDEXED_PROPERTY + "[" + i + "]";
      Optional<String> value = config.getOptionalValue(prefix + ".value", String.class);
      Optional<String> notAfter = config.getOptionalValue(prefix + ".not-after", String.class);
      Optional<String> hookId = config.getOptionalValue(prefix + ".hook-id", String.class);
      if (value.isEmpty() && notAfter.isEmpty() && hookId.isEmpty()) {
        break;
      }
      if (value.isEmpty()) {
        throw indexedError(
            prefix
                + (notAfter.isPresent() ? ".not-after" : ".hook-id")
                + " is set without "
                + prefix
                + ".value.",
            prefix);
      }
      String hook = hookId.map(String::strip).orElse(null);
      if (hook != null && !DeliveryHeaders.HOOK_ID_PATTERN.matcher(hook).matches()) {
        throw indexedError(
            prefix + ".hook-id is not a GitHub hook id (a decimal number, as X-GitHub-Hook-ID).",
            prefix);
      }
      Instant until = null;
      if (notAfter.isPresent()) {
        try {
          until = Instant.parse(notAfter.get().strip());
        } catch (DateTimeParseException e) {
          throw indexedError(
              prefix + ".not-after is not an ISO-8601 instant such as 2026-12-01T00:00:00Z.",
              prefix);
        }
      }
      entries.add(new WebhookSecrets.Entry(value.get(), until, hook, prefix));
    }
    return entries;
  }

  private static ConfigurationException indexedError(String problem, String prefix) {
    return new ConfigurationException(
        problem, Set.of(prefix + ".value", prefix + ".not-after", prefix + ".hook-id"));
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
