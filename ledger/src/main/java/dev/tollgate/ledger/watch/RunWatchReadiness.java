package dev.tollgate.ledger.watch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the run watch is on but blind: a run created and deleted then is never recorded,
 * so the gap must show where operators look (readiness, {@code tollgate_ledger_run_watch_healthy}
 * and its alert), not only in a log line. Up when the watch is off by configuration.
 */
@Readiness
@ApplicationScoped
public class RunWatchReadiness implements HealthCheck {

  private final RunWatchService watch;

  @Inject
  public RunWatchReadiness(RunWatchService watch) {
    this.watch = watch;
  }

  @Override
  public HealthCheckResponse call() {
    if (watch.disabled()) {
      return HealthCheckResponse.named("run-watch").up().withData("enabled", false).build();
    }
    return HealthCheckResponse.named("run-watch")
        .status(watch.healthy())
        .withData("enabled", true)
        .withData("running", watch.running())
        .build();
  }
}
