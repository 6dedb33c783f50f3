package dev.tollgate.ledger.bench;

import java.util.logging.Level;
import org.jboss.logmanager.LogContext;

/**
 * Log levels as in production. Outside Quarkus, which sets INFO, the JBoss log manager behind SLF4J
 * enables every level, and the Kafka broker and clients then build their TRACE and DEBUG messages
 * (a producer formats each record it sends) only for the handler to drop them: a cost no deployed
 * ledger pays, which a benchmark must not count.
 */
final class ProductionLogging {

  private ProductionLogging() {}

  static void apply() {
    LogContext.getSystemLogContext().getLogger("").setLevel(Level.INFO);
  }
}
