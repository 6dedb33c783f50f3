package dev.tollgate.ledger.audit;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The auditor's command line: subcommands that check a ledger. */
@Command(
    name = "tollgate-auditor",
    mixinStandardHelpOptions = true,
    version = "tollgate-auditor 0.1",
    description = "Checks a Tollgate ledger with public keys only.",
    subcommands = {
      VerifyCommand.class,
      ExportCommand.class,
      ReplayCommand.class,
      ProveCommand.class,
      VerifyReceiptCommand.class,
      ProvenanceCommand.class,
      SealedCommand.class,
      EraseCommand.class,
      CommandLine.HelpCommand.class
    })
public final class AuditorCommand implements Runnable {

  /** Exit code: the ledger verified. */
  public static final int OK = 0;

  /** Exit code: the ledger does not verify. */
  public static final int INVALID = 1;

  /** Exit code: what was asked for is not in the (valid) ledger. */
  public static final int NOT_FOUND = 3;

  /** Exit code: wrong arguments, unreadable key, unreachable broker or missing topic. */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Prints {@code ERROR: message} on the error stream; returns {@link #USAGE}, to exit with. */
  static int usageError(PrintWriter err, String message) {
    err.println("ERROR: " + message);
    err.flush();
    return USAGE;
  }

  /** The command line with the exit codes above; output goes to picocli's out and err writers. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new AuditorCommand());
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          // Anything unforeseen is never a pass: report it as a usage/runtime error, not OK.
          PrintWriter err = cmd.getErr();
          err.println("ERROR: " + exception);
          err.flush();
          return USAGE;
        });
    return commandLine;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }
}
