package dev.tollgate.gateway.github;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Test-only: when {@value #PROPERTY} is true, an application that did start exits at once with
 * {@value #EXIT_CODE}. {@link MissingSecretTest} sets it, so that if the gateway ever started
 * without a secret the test would fail on the exit code instead of waiting forever for a server
 * that never stops.
 */
@ApplicationScoped
public class ExitWhenStarted {

  static final String PROPERTY = "tollgate.test.exit-when-started";
  static final int EXIT_CODE = 3;

  void onStart(
      @Observes StartupEvent started,
      @ConfigProperty(name = PROPERTY, defaultValue = "false") boolean exit) {
    if (exit) {
      Quarkus.asyncExit(EXIT_CODE);
    }
  }
}
