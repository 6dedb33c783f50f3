package dev.tollgate.cli.policytest;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tollgate policy ...}: commands on trigger policies. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Work with trigger policies.",
    subcommands = {PolicyTestCommand.class})
public final class PolicyCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }
}
