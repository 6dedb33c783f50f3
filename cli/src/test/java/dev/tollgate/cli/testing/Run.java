package dev.tollgate.cli.testing;

import dev.tollgate.cli.TollgateCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import picocli.CommandLine;

/** The {@code tollgate} command run in this process, with what it printed and its exit code. */
public record Run(int exitCode, String out, String err) {

  /** Runs {@code tollgate args...} in process. */
  public static Run of(String... args) {
    return of(TollgateCommand.commandLine(), args);
  }

  /** Runs {@code args} on a command line built by the caller (to set a command's clock). */
  public static Run of(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A directory or file under {@code src/test/resources}. */
  public static Path resource(String name) {
    try {
      return Path.of(Objects.requireNonNull(Run.class.getResource("/" + name), name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Both streams, for assertion messages. */
  public String both() {
    return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
  }
}
