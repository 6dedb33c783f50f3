package dev.tollgate.cli.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.cli.testing.Recordings;
import dev.tollgate.cli.testing.Run;
import dev.tollgate.cli.testing.TestLedger;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How {@code explain} and {@code replay} end when the ledger does not verify or cannot be read,
 * exactly: {@code FAIL at seq <n>: ...} and a sentence saying nothing was shown on stdout (exit 1);
 * {@code ERROR: ...} on stderr and nothing on stdout (exit 2).
 */
class LedgerFailureOutputTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"explain", "replay"})
  void command_recordAltered_failLineThenNothingShown(String command) throws IOException {
    Path export =
        Recordings.ledger().exportAltered(tmp.resolve("export"), 1, "\"denied\"", "\"admitted\"");

    Run run = run(command, "--from-export", export.toString(), "--public-key", publicKey());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    List<String> lines = run.out().lines().toList();
    assertThat(lines).as(run.both()).hasSize(2);
    assertThat(lines.get(0)).startsWith("FAIL at seq 1: ");
    assertThat(lines.get(1))
        .isEqualTo(
            command.equals("explain")
                ? "The ledger does not verify: nothing of it is explained."
                : "The ledger does not verify: nothing was replayed.");
    assertThat(run.out()).endsWith("\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"explain", "replay"})
  void command_noPublicKey_usageErrorOnStderrOnly(String command) throws IOException {
    Path export = Recordings.ledger().export(tmp.resolve("export"));

    Run run = run(command, "--from-export", export.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "ERROR: --public-key is required: the ledger's first public key"
                + " (deploy/local/tollgate gives the local stack's)\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"explain", "replay"})
  void command_noLedgerNamed_usageErrorOnStderrOnly(String command) {
    Run run = run(command, "--public-key", publicKey());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "ERROR: name the ledger: --bootstrap-server HOST:PORT for its topic, or --from-export"
                + " DIR\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"explain", "replay"})
  void command_sealedStoreNotADirectory_usageErrorOnStderrOnly(String command) {
    Path nowhere = tmp.resolve("nowhere");

    Run run = run(command, "--public-key", publicKey(), "--sealed-store", nowhere.toString());

    assertThat(run.exitCode()).as(run.both()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo("ERROR: --sealed-store " + nowhere + " is not a directory\n");
  }

  private static Run run(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of(args));
    if (command.equals("explain")) {
      all.add(Recordings.DENIED);
    } else {
      all.addAll(
          List.of(
              "--policies",
              Run.resource("replay/same").toString(),
              "--since",
              "2026-11-22T00:00:00Z"));
    }
    return Run.of(all.toArray(String[]::new));
  }

  private static String publicKey() {
    return TestLedger.PUBLIC_KEY.toString();
  }
}
