package dev.tollgate.verifier.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the independent tools the tests cross-check against: sigstore-offline (node), openssl. */
public final class Programs {
  private Programs() {}

  /** The result of one run. */
  public record Result(int exitCode, String output) {}

  public static Result run(Path workDir, List<String> command) throws IOException {
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Process p =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted: " + command, e);
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  /** Runs and requires exit code 0. */
  public static String check(Path workDir, List<String> command) throws IOException {
    Result r = run(workDir, command);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(command + " exited " + r.exitCode() + ": " + r.output());
    }
    return r.output();
  }

  /** {@code node sigstore-offline.mjs sign spec.json}; outputs land in the spec's out dir. */
  public static void sigstoreSign(Path spec) throws IOException {
    Prerequisites.requireSigstoreOffline();
    check(
        spec.getParent(),
        List.of(
            "node",
            Prerequisites.SIGSTORE_OFFLINE.resolve("sigstore-offline.mjs").toString(),
            "sign",
            spec.toString()));
  }
}
