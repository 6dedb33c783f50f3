package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.cli.testing.Recordings;
import dev.tollgate.cli.testing.Run;
import dev.tollgate.cli.testing.TestLedger;
import dev.tollgate.deploy.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code target/tollgate.jar} run as its own process, as {@code deploy/local/tollgate}
 * runs it: only what the jar ships, so a class the decider, the policy reader (with CEL) or the
 * ledger's verifier loads and the jar lacks fails here.
 */
class TollgateJarIT {

  private static final Path JAR =
      Path.of(System.getProperty("tollgate.root"), "cli", "target", "tollgate.jar");

  @TempDir Path tmp;

  @Test
  void policyTest_runsFromTheJar_exitsZero() throws Exception {
    Run run = runJar("policy", "test", Run.resource("policy-test").toString());

    assertThat(run.exitCode()).as(run.both()).isZero();
    assertThat(run.out()).contains("4 tests: 4 passed, 0 failed, 0 not decided");
  }

  @Test
  void policyTest_differences_exitOneFromTheJar() throws Exception {
    Run run =
        runJar(
            "policy",
            "test",
            Run.resource("policy-test/failing-test.yaml").toString(),
            "-o",
            "json");

    assertThat(run.exitCode()).as(run.both()).isEqualTo(1);
    assertThat(run.out()).contains("\"failed\" : 1");
  }

  @Test
  void explainAndReplay_runFromTheJarOverAnExport() throws Exception {
    Path export = Recordings.ledger().export(tmp.resolve("export"));
    String key = TestLedger.PUBLIC_KEY.toString();

    Run explain =
        runJar(
            "explain", "--from-export", export.toString(), "--public-key", key, Recordings.DENIED);
    Run replay =
        runJar(
            "replay",
            "--from-export",
            export.toString(),
            "--public-key",
            key,
            "--policies",
            Run.resource("replay/audit").toString(),
            "--since",
            "2026-11-22T00:00:00Z");

    assertThat(explain.exitCode()).as(explain.both()).isZero();
    assertThat(explain.out()).contains("Decision: DENIED under policy release");
    assertThat(replay.exitCode()).as(replay.both()).isZero();
    assertThat(replay.out())
        .contains("Summary: 4 triggers: 2 unchanged, 1 changed, 1 undetermined");
  }

  @Test
  void explain_fromTheLedgerTopicOfARealBroker_verifiesAndExplains() throws Exception {
    List<byte[]> records = Recordings.ledger().records();
    try (EmbeddedKafka kafka =
        EmbeddedKafka.builder()
            .topics(List.of(new NewTopic("tollgate.ledger.v1", 1, (short) 1)))
            .start()) {
      Map<String, Object> config =
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ProducerConfig.ACKS_CONFIG,
              "all");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (byte[] value : records) {
          producer.send(new ProducerRecord<>("tollgate.ledger.v1", 0, null, value));
        }
        producer.flush();
      }

      Run run =
          runJar(
              "explain",
              "--bootstrap-server",
              kafka.bootstrapServers(),
              "--public-key",
              TestLedger.PUBLIC_KEY.toString(),
              Recordings.ADMITTED);

      assertThat(run.exitCode()).as(run.both()).isZero();
      assertThat(run.out())
          .contains("Decision: ADMITTED under policy release")
          .contains("Ledger: 9 records read from topic tollgate.ledger.v1");
    }
  }

  private Run runJar(String... args) throws IOException, InterruptedException {
    assertThat(JAR).as("built by package").exists();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("tollgate.jar did not exit: " + command);
    }
    return new Run(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
