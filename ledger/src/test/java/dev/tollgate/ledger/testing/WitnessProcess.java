package dev.tollgate.ledger.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The independent C2SP witness in {@code ../shared/tools/tlog-witness} (not written by this
 * project), run as a process on a free loopback port. Missing (no shared folder, or no Python with
 * {@code cryptography}) on a developer machine: the test is skipped saying why; under CI it fails.
 */
public final class WitnessProcess implements AutoCloseable {

  private final Process process;
  private final URI url;
  private final String vkey;

  private WitnessProcess(Process process, URI url, String vkey) {
    this.process = process;
    this.url = url;
    this.vkey = vkey;
  }

  /** The witness script, beside the repository in the shared folder. */
  public static Path script() {
    return Path.of(System.getProperty("tollgate.root", ".."))
        .toAbsolutePath()
        .normalize()
        .getParent()
        .resolve("shared/tools/tlog-witness/witness.py");
  }

  /** A Python 3 that has {@code cryptography}, or the test is skipped (failed under CI). */
  public static String python() {
    for (String candidate : List.of("python3", "/usr/bin/python3")) {
      try {
        Process probe =
            new ProcessBuilder(candidate, "-c", "import cryptography")
                .redirectErrorStream(true)
                .start();
        probe.getInputStream().readAllBytes();
        if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0) {
          return candidate;
        }
      } catch (IOException e) {
        // not on this machine: try the next
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    require(false, "no python3 with the cryptography package; run deploy/local/prereqs");
    throw new AssertionError("unreachable");
  }

  /** Starts a witness named {@code name} that trusts the log key {@code logVkey}. */
  public static WitnessProcess start(Path state, String name, String logVkey)
      throws IOException, InterruptedException {
    keygen(state, name);
    return serve(state, name, logVkey, "127.0.0.1:0");
  }

  /** Creates the witness key in {@code state}; returns the witness's verifier key. */
  public static String keygen(Path state, String name) throws IOException, InterruptedException {
    Path script = script();
    require(Files.isRegularFile(script), script + " is missing (the shared folder)");
    String python = python();
    Process keygen =
        new ProcessBuilder(
                python, script.toString(), "keygen", "--name", name, "--out", state.toString())
            .redirectErrorStream(true)
            .start();
    String keygenOut = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keygen.waitFor(60, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
      fail("witness keygen failed: " + keygenOut);
    }
    return keygenOut.strip();
  }

  /**
   * Serves the witness whose key {@link #keygen} put in {@code state} on {@code listen} ({@code
   * host:port}, port 0 for any free one).
   */
  public static WitnessProcess serve(Path state, String name, String logVkey, String listen)
      throws IOException {
    Path script = script();
    String python = python();
    Process serve =
        new ProcessBuilder(
                python,
                script.toString(),
                "serve",
                "--listen",
                listen,
                "--state",
                state.toString(),
                "--name",
                name,
                "--log-key",
                logVkey)
            .redirectError(state.resolve("witness.log").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("listening=")) {
      serve.destroyForcibly();
      fail(
          "the witness did not start: "
              + line
              + "\n"
              + Files.readString(state.resolve("witness.log")));
    }
    String[] parts = line.split(" ");
    String address = parts[0].substring("listening=".length());
    String vkey = parts[1].substring("vkey=".length());
    return new WitnessProcess(serve, URI.create("http://" + address + "/"), vkey);
  }

  /** Runs {@code witness.py verify-cosignature} over a note; returns its exit code. */
  public int verifyCosignature(Path note) throws IOException, InterruptedException {
    Process verify =
        new ProcessBuilder(
                python(),
                script().toString(),
                "verify-cosignature",
                "--witness-key",
                vkey,
                note.toString())
            .redirectErrorStream(true)
            .start();
    verify.getInputStream().readAllBytes();
    if (!verify.waitFor(60, TimeUnit.SECONDS)) {
      verify.destroyForcibly();
      fail("verify-cosignature did not finish");
    }
    return verify.exitValue();
  }

  /** The witness's submission prefix. */
  public URI url() {
    return url;
  }

  /** The witness's cosignature verifier key. */
  public String vkey() {
    return vkey;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void require(boolean present, String message) {
    if (present) {
      return;
    }
    if (System.getenv("CI") != null) {
      fail("CI is set and a test prerequisite is missing: " + message);
    }
    Assumptions.abort("skipped, prerequisite missing: " + message);
  }
}
