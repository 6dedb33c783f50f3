package dev.tollgate.ledger.writer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the writer appends: down while it recovers the chain, and for good once it was
 * fenced, found the stored chain invalid or failed.
 */
@Readiness
@ApplicationScoped
public class LedgerReadiness implements HealthCheck {

  private final LedgerService service;

  @Inject
  public LedgerReadiness(LedgerService service) {
    this.service = service;
  }

  @Override
  public HealthCheckResponse call() {
    return of(service.writer());
  }

  /** The readiness of this writer: up only while it appends. */
  static HealthCheckResponse of(LedgerWriter writer) {
    WriterState state = writer.state();
    return HealthCheckResponse.named("ledger-writer")
        .status(state == WriterState.WRITING)
        .withData("state", state.name())
        .withData("records", writer.head().map(h -> h.size()).orElse(-1L))
        .build();
  }
}
