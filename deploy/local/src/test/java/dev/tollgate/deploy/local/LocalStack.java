package dev.tollgate.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code deploy/local/up} run as a user runs it, on free ports and a temporary state dir: the
 * leader of a process group of its own, stopped by signalling that whole group as Ctrl-C does.
 */
final class LocalStack implements AutoCloseable {

  static final Path ROOT = Path.of(System.getProperty("tollgate.root", "../..")).toAbsolutePath();

  final Path state;
  final int kafkaPort;
  final int gatewayPort;
  final int verifierPort;
  final int ledgerPort;
  final int registryPort;
  final int kubeApiPort;
  private final int controllerPort;
  private final String secret;
  private Process process;
  private List<ProcessHandle> children = List.of();
  private Path output;

  LocalStack(Path state, String secret) {
    this.state = state;
    this.secret = secret;
    this.kafkaPort = freePort();
    this.controllerPort = freePort();
    this.gatewayPort = freePort();
    this.verifierPort = freePort();
    this.ledgerPort = freePort();
    this.registryPort = freePort();
    this.kubeApiPort = freePort();
  }

  /** Starts the stack and returns once it printed that it is up. */
  void start() throws IOException, InterruptedException {
    output = Files.createTempFile(state.getParent(), "up-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder("setsid", "bash", ROOT.resolve("deploy/local/up").toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    env.put("TOLLGATE_STATE_DIR", state.toString());
    env.put("TOLLGATE_GITHUB_WEBHOOK_SECRET", secret);
    env.put("TOLLGATE_KAFKA_PORT", Integer.toString(kafkaPort));
    env.put("TOLLGATE_KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort));
    env.put("TOLLGATE_GATEWAY_PORT", Integer.toString(gatewayPort));
    env.put("TOLLGATE_VERIFIER_PORT", Integer.toString(verifierPort));
    env.put("TOLLGATE_LEDGER_PORT", Integer.toString(ledgerPort));
    env.put("TOLLGATE_REGISTRY_PORT", Integer.toString(registryPort));
    env.put("TOLLGATE_KUBE_API_PORT", Integer.toString(kubeApiPort));
    env.put("TOLLGATE_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -Xshare:auto");
    process = builder.start();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!output().contains("tollgate: up")) {
      if (!process.isAlive()) {
        throw new IllegalStateException("deploy/local/up exited: " + output() + logs());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "deploy/local/up not up in 3 minutes: " + output() + logs());
      }
      Thread.sleep(200);
    }
    children = process.descendants().toList();
  }

  /**
   * Signals {@code up}'s whole process group (SIGTERM: a shell started from a test, unlike one at a
   * terminal, may inherit SIGINT ignored) and returns the exit status; every child must be gone.
   */
  int stop() throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-TERM", "--", "-" + process.pid())
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("cannot signal the process group of " + process.pid());
    }
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      throw new IllegalStateException("deploy/local/up did not stop within 90 s: " + output());
    }
    for (ProcessHandle child : children) {
      child.onExit().toCompletableFuture().completeOnTimeout(child, 30, TimeUnit.SECONDS).join();
      if (child.isAlive()) {
        throw new IllegalStateException("left running after stop: " + child.info());
      }
    }
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String logs() {
    StringBuilder all = new StringBuilder();
    for (String name : List.of("kafka", "registry", "demo", "ledger", "verifier", "gateway")) {
      Path log = state.resolve("logs").resolve(name + ".log");
      try {
        if (Files.exists(log)) {
          all.append("\n--- ").append(name).append(".log\n").append(Files.readString(log));
        }
      } catch (IOException e) {
        all.append("\n(cannot read ").append(log).append(')');
      }
    }
    return all.toString();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
