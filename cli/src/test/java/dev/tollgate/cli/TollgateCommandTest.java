package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.cli.testing.Run;
import org.junit.jupiter.api.Test;

class TollgateCommandTest {

  @Test
  void tollgate_noSubcommand_exitsTwo() {
    Run run = Run.of();

    assertThat(run.exitCode()).as(run.both()).isEqualTo(TollgateCommand.USAGE);
    assertThat(run.err()).contains("a subcommand is required");
  }

  @Test
  void tollgate_help_listsTheSubcommands() {
    Run run = Run.of("--help");

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out()).contains("policy").contains("explain").contains("replay");
  }

  @Test
  void tollgate_unknownOption_exitsTwo() {
    Run run = Run.of("policy", "test", "--frobnicate", ".");

    assertThat(run.exitCode()).as(run.both()).isEqualTo(TollgateCommand.USAGE);
  }
}
