package dev.tollgate.cli;

import dev.tollgate.cli.explain.ExplainCommand;
import dev.tollgate.cli.policytest.PolicyCommand;
import dev.tollgate.cli.replay.ReplayCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tollgate} command line: subcommands for the people who write and read decisions. */
@Command(
    name = "tollgate",
    mixinStandardHelpOptions = true,
    version = "tollgate 0.1",
    description = "Test trigger policies, explain recorded decisions, replay recorded triggers.",
    subcommands = {
      PolicyCommand.class,
      ExplainCommand.class,
      ReplayCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TollgateCommand implements Runnable {

  /** Exit code: everything passed (tests), or what was asked for was shown. */
  public static final int OK = 0;

  /**
   * Exit code: a check failed: a policy test's decision differs from what it expects, or the ledger
   * does not verify.
   */
  public static final int FAILED = 1;

  /**
   * Exit code: wrong arguments, or something named cannot be read (a test manifest, a policy, a
   * key, the ledger's broker); also anything unforeseen.
   */
  public static final int USAGE = 2;

  /** Exit code: what was asked for is not in the (verified) ledger. */
  public static final int NOT_FOUND = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The command line with the exit codes above; output goes to picocli's out and err writers. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new TollgateCommand());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          // Anything unforeseen is never a pass: report it and exit non-zero.
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
