package dev.tollgate.gateway.redeliver;

import dev.tollgate.gateway.leader.Leadership;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Skips the scheduled run of the {@link RedeliveryJob} unless it is on and this replica leads. */
@Singleton
public class RedeliveryNotHere implements Scheduled.SkipPredicate {
  @Inject RedeliveryJob job;
  @Inject Leadership leadership;

  @Override
  public boolean test(ScheduledExecution execution) {
    return !job.active() || !leadership.leading();
  }
}
