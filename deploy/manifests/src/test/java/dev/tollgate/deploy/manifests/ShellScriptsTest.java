package dev.tollgate.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell script the project ships or runs (under {@code deploy/}, {@code .ci/} and each
 * module's {@code bench/}) passes shellcheck at every severity. A script is found by its shebang,
 * so a new one is linted without being listed anywhere. A finding is fixed, or silenced on its line
 * with {@code # shellcheck disable=SCxxxx} and the reason.
 *
 * <p>shellcheck comes from Debian's package, installed by {@code deploy/local/prereqs}. Without it
 * the lint fails under {@code CI=true} and is skipped, loudly, elsewhere.
 */
class ShellScriptsTest {

  private static final Pattern SHELL_SHEBANG =
      Pattern.compile("#!\\s*(/usr)?/bin/(env\\s+)?(sh|bash|dash|ksh)\\b.*");

  private static final List<String> SCANNED =
      List.of("deploy", ".ci", "gateway/bench", "verifier/bench", "ledger/bench");

  private static Path root;
  private static Optional<Path> shellcheck;

  @BeforeAll
  static void locate() throws IOException {
    root = Path.of(System.getProperty("tollgate.root", "../..")).toRealPath();
    shellcheck = onPath("shellcheck");
    if (shellcheck.isEmpty()) {
      String missing =
          "shellcheck is not installed: the shell-script lint did NOT run. "
              + "Install it with deploy/local/prereqs.";
      assertThat("true".equals(System.getenv("CI")))
          .as(missing + " (required under CI=true)")
          .isFalse();
      Assumptions.abort("SKIPPED: " + missing);
    }
  }

  @Test
  void scripts_underDeployCiAndBench_passShellcheck() throws IOException, InterruptedException {
    List<Path> scripts = scripts();
    // The lint cannot pass by finding nothing: the CI script and the local stack are always here.
    assertThat(scripts)
        .contains(
            root.resolve(".ci/run"),
            root.resolve("deploy/local/up"),
            root.resolve("deploy/local/prereqs"));

    List<String> command =
        new ArrayList<>(
            List.of(shellcheck.orElseThrow().toString(), "--color=never", "--external-sources"));
    scripts.forEach(s -> command.add(root.relativize(s).toString()));
    Result result = run(command);

    assertThat(result.exitCode())
        .as(
            "shellcheck findings in %d scripts (fix them, or disable one on its line with the reason):%n%s",
            scripts.size(), result.output())
        .isZero();
  }

  @Test
  void shellcheck_unquotedExpansion_isReported(@TempDir Path dir)
      throws IOException, InterruptedException {
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "#!/usr/bin/env bash\nrm -rf $1/cache\n", StandardCharsets.UTF_8);

    Result result =
        run(List.of(shellcheck.orElseThrow().toString(), "--color=never", bad.toString()));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("SC2086");
  }

  /**
   * Files under the scanned directories whose first line is a shell shebang; build output aside.
   */
  private static List<Path> scripts() throws IOException {
    List<Path> scripts = new ArrayList<>();
    for (String dir : SCANNED) {
      Path start = root.resolve(dir);
      if (!Files.isDirectory(start)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(start)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          if (Files.isRegularFile(file)
              && !root.relativize(file).toString().contains("/target/")
              && isShellScript(file)) {
            scripts.add(file);
          }
        }
      }
    }
    scripts.sort(null);
    return scripts;
  }

  private static boolean isShellScript(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(128);
    }
    String first = new String(head, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
    return SHELL_SHEBANG.matcher(first).matches();
  }

  private static Optional<Path> onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    byte[] out;
    try (InputStream in = process.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("shellcheck did not finish in 2 minutes");
    }
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
