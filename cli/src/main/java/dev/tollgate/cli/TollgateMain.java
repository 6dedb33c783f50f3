package dev.tollgate.cli;

/**
 * {@code java -jar tollgate.jar ...}: the command line of {@link TollgateCommand}, exiting with its
 * code.
 */
public final class TollgateMain {

  private TollgateMain() {}

  public static void main(String[] args) {
    // kafka-clients logs through slf4j-api, which the jar ships without a binding; keep its
    // "no provider" notice out of what a person reads.
    System.setProperty("slf4j.internal.verbosity", "ERROR");
    System.exit(TollgateCommand.commandLine().execute(args));
  }
}
