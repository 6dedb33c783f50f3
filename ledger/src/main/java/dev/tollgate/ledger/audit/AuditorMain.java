package dev.tollgate.ledger.audit;

/**
 * {@code java -jar tollgate-auditor.jar verify ...}: checks a ledger topic with public keys only. A
 * plain main class, not a Quarkus application, so a third party can run it anywhere.
 */
public final class AuditorMain {

  private AuditorMain() {}

  public static void main(String[] args) {
    // kafka-clients logs through slf4j-api, which the jar ships without a binding; keep its
    // "no provider" notice out of the report.
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    System.exit(AuditorCommand.commandLine().execute(args));
  }
}
