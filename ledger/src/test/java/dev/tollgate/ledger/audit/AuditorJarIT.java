package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code target/tollgate-auditor.jar} run as its own process, the way a third party runs
 * it: no Quarkus, no test classpath, only what the jar ships.
 */
class AuditorJarIT {

  private static final Path JAR =
      Path.of(System.getProperty("tollgate.root"), "ledger", "target", "tollgate-auditor.jar");

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;
  private static String ledger;

  /** The auditor's stdout and stderr, one pair of files per run. */
  @TempDir static Path output;

  @BeforeAll
  static void writeLedger(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), ledger, Chains.build(keys.signer(), 3));
  }

  @Test
  void help_printsUsageAndExitsZero() throws Exception {
    Result result = runJar("--help");

    assertThat(result.exitCode).isEqualTo(0);
    assertThat(result.out).contains("verify");
  }

  @Test
  void verifyHelp_listsTheOptions() throws Exception {
    Result result = runJar("verify", "--help");

    assertThat(result.exitCode).isEqualTo(0);
    assertThat(result.out).contains("--bootstrap-server", "--topic", "--public-key");
  }

  @Test
  void verify_untouchedLedger_exitsZero() throws Exception {
    Result result = verify(ledger);

    assertThat(result.exitCode).isEqualTo(0);
    assertThat(result.out).startsWith("OK: 3 records verified, head seq 2 sha256:");
    assertThat(result.err).doesNotContain("SLF4J");
  }

  @Test
  void verify_ledgerWithCheckpoints_exitsZeroCountingThem() throws Exception {
    String withCheckpoints = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(
        kafka.bootstrapServers(),
        withCheckpoints,
        Chains.buildWithCheckpoints(keys.signer(), 4, 2, "example.test/jar"));

    Result result = verify(withCheckpoints);

    assertThat(result.exitCode).as(result.err).isEqualTo(0);
    assertThat(result.out)
        .startsWith("OK: 6 records verified, head seq 5 sha256:")
        .contains("2 checkpoints, latest example.test/jar size 5");
  }

  @Test
  void verify_copyWithOneFlippedByte_exitsOne() throws Exception {
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            values -> {
              values.set(1, Topics.flipByte(values.get(1), values.get(1).length - 10));
              return values;
            });

    Result result = verify(copy);

    assertThat(result.exitCode).isEqualTo(1);
    assertThat(result.out).startsWith("FAIL at seq 1: ");
  }

  @Test
  void verify_brokerUnreachable_exitsTwo() throws Exception {
    Result result =
        runJar(
            "verify",
            "--bootstrap-server",
            "127.0.0.1:1",
            "--public-key",
            keys.publicKey().toString(),
            "--timeout",
            "PT2S");

    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.err).contains("ERROR:");
  }

  private static Result verify(String topic) throws IOException, InterruptedException {
    return runJar(
        "verify",
        "--bootstrap-server",
        kafka.bootstrapServers(),
        "--topic",
        topic,
        "--public-key",
        keys.publicKey().toString());
  }

  private static Result runJar(String... args) throws IOException, InterruptedException {
    assertThat(JAR).as("run 'mvn package' first").exists();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(output, "auditor-", ".out");
    Path err = Files.createTempFile(output, "auditor-", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the auditor did not finish in 60 s");
    }
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private record Result(int exitCode, String out, String err) {}
}
