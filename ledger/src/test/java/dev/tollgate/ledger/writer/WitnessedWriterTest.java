package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.audit.AuditorCommand;
import dev.tollgate.ledger.checkpoint.NoteKey;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.testing.WitnessProcess;
import dev.tollgate.ledger.witness.CheckpointWitness;
import dev.tollgate.ledger.witness.CosignatureStore;
import dev.tollgate.ledger.witness.WitnessClient;
import dev.tollgate.ledger.witness.WitnessKey;
import dev.tollgate.ledger.witness.WitnessSubmitter;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The whole path as an operator and an auditor meet it: the writer appends checkpoints to a real
 * Kafka topic, the independent witness in {@code ../shared/tools/tlog-witness} cosigns them as they
 * come, and the auditor exports the ledger with the writer's kept cosignatures and verifies it with
 * the witness key alone.
 */
class WitnessedWriterTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ORIGIN = "example.test/witnessed";

  @TempDir Path tmp;

  @Test
  void writer_checkpointsCosignedByTheWitness_exportVerifiesWithTheWitnessKeyAlone()
      throws Exception {
    EmbeddedKafka kafka = SharedKafka.get();
    TestKeys.KeyFiles keys = TestKeys.generate(Files.createDirectory(tmp.resolve("keys")));
    String triggers = SharedKafka.newTopic(EventType.TRIGGER);
    String ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Path data = tmp.resolve("data");
    WriterSettings settings =
        new WriterSettings(
            kafka.bootstrapServers(),
            Map.of(triggers, LedgerRecord.Kind.TRIGGER),
            ledger,
            "group-" + UUID.randomUUID(),
            "test-writer-" + ledger,
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            new CheckpointPolicy(ORIGIN, 3, WAIT),
            java.util.Optional.of(data));
    Path state = Files.createDirectory(tmp.resolve("witness"));
    try (LedgerWriter writer = new LedgerWriter(settings, keys.signer(), Clock.systemUTC());
        WitnessProcess witness =
            WitnessProcess.start(
                state, "witness.test/w1", NoteKey.of(ORIGIN, keys.signer().publicKey()).vkey())) {
      WitnessKey key = WitnessKey.parse(witness.vkey());
      CosignatureStore store = CosignatureStore.in(data);
      try (WitnessSubmitter submitter =
          new WitnessSubmitter(
              List.of(
                  new CheckpointWitness(
                      new WitnessClient(witness.url(), key, Duration.ofSeconds(10)))),
              () -> WitnessService.target(writer.committed()),
              store,
              new WitnessSubmitter.Timing(
                  Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(2)),
              Clock.systemUTC())) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WitnessService.registerMetrics(registry, submitter, List.of(key));
        writer.start();
        submitter.start();
        for (int i = 0; i < 6; i++) {
          Topics.send(
              kafka.bootstrapServers(),
              triggers,
              "acme/payments",
              Topics.ceHeaders(EventType.TRIGGER, "w" + i),
              Chains.triggerData("github:w" + i));
        }

        // 6 triggers, a checkpoint after every 3: checkpoints of 3 and 7 records.
        await().atMost(WAIT).until(() -> store.note(7).isPresent());
        assertThat(
                registry
                    .get(WitnessService.LAG_RECORDS)
                    .tag("witness", "witness.test/w1")
                    .gauge()
                    .value())
            .isZero();
        assertThat(
                registry
                    .get(WitnessService.FAILURES)
                    .tags("witness", "witness.test/w1", "reason", "rollback")
                    .functionCounter()
                    .count())
            .isZero();
        assertThat(witness.verifyCosignature(data.resolve("cosignatures/7.checkpoint"))).isZero();

        Path export = tmp.resolve("export");
        String exported =
            auditor(
                0,
                "export",
                export.toString(),
                "--bootstrap-server",
                kafka.bootstrapServers(),
                "--topic",
                ledger,
                "--public-key",
                keys.publicKey().toString(),
                "--cosignatures",
                data.resolve("cosignatures").toString(),
                "--witness-key",
                witness.vkey(),
                "--quiet");
        String verified =
            auditor(
                0,
                "verify",
                "--from-export",
                export.toString(),
                "--witness-key",
                witness.vkey(),
                "--quiet");

        assertThat(exported)
            .startsWith("OK: 8 records exported")
            .contains("witnessed up to size 7");
        assertThat(verified)
            .startsWith("OK: 8 records verified")
            .contains("witnessed up to size 7 by [witness.test/w1]");
      }
    }
  }

  private static String auditor(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = AuditorCommand.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    assertThat(commandLine.execute(args)).as(out + "\n" + err).isEqualTo(expectedExit);
    return out.toString();
  }
}
