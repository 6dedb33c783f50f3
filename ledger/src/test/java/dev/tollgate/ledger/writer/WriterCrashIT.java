package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer in a separate JVM, killed with SIGKILL three times while events flow into the real
 * broker, then started a last time: the chain verifies and every source event is in it exactly
 * once. The writer keeps a data directory, so a kill can also land between a commit and the write
 * of its local state.
 */
class WriterCrashIT {

  private static final int KILLS = 3;
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void writer_killedRepeatedlyWhileEventsFlow_chainVerifiesAndEveryEventOnce() throws Exception {
    EmbeddedKafka kafka = SharedKafka.get();
    String triggers = SharedKafka.newTopic(EventType.TRIGGER);
    String ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    TestKeys.KeyFiles keys = TestKeys.generate(tmp);
    String transactionalId = "crash-writer-" + UUID.randomUUID();
    String group = "crash-group-" + UUID.randomUUID();
    Path dataDir = tmp.resolve("data");
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean flowing = new AtomicBoolean(true);
    Thread eventThread =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> producer =
                  Topics.producer(kafka.bootstrapServers())) {
                for (int i = 0; flowing.get(); i++) {
                  String id = "crash-" + i;
                  producer.send(
                      new ProducerRecord<>(
                          triggers,
                          null,
                          "acme/payments".getBytes(StandardCharsets.UTF_8),
                          Chains.triggerData("github:" + id),
                          Topics.ceHeaders(EventType.TRIGGER, id)));
                  sent.incrementAndGet();
                  Thread.sleep(20);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "crash-test-events");
    eventThread.start();

    List<String> args =
        List.of(
            kafka.bootstrapServers(),
            triggers,
            ledger,
            transactionalId,
            group,
            keys.privateKey().toString(),
            dataDir.toString());
    for (int kill = 0; kill < KILLS; kill++) {
      Process writer = launch(args, kill);
      int before = Topics.values(kafka.bootstrapServers(), ledger).size();
      try {
        // Kill it once it has appended something in this life, while events still arrive.
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> Topics.values(kafka.bootstrapServers(), ledger).size() > before + 5);
      } finally {
        writer.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no clean close.
      }
      assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(writer.exitValue()).isEqualTo(137);
    }
    Process last = launch(args, KILLS);
    int events;
    try {
      flowing.set(false);
      eventThread.join(WAIT.toMillis());
      events = sent.get();
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  sourceEventIds(Topics.values(kafka.bootstrapServers(), ledger)).size() >= events);
    } finally {
      last.destroyForcibly();
      last.waitFor(30, TimeUnit.SECONDS);
    }

    List<byte[]> values = Topics.values(kafka.bootstrapServers(), ledger);
    LedgerVerifier verifier =
        LedgerVerifier.trusting(
            List.of(keys.signer().publicKey()), Optional.empty(), MerkleTree.inMemory());
    for (byte[] value : values) {
      verifier.verifyNext(value);
    }
    Map<String, Integer> counts = new HashMap<>();
    sourceEventIds(values).forEach(id -> counts.merge(id, 1, Integer::sum));
    assertThat(counts).hasSize(events);
    assertThat(counts.values()).allMatch(c -> c == 1);
    assertThat(verifier.checkpointCount()).isPositive();
  }

  private static List<String> sourceEventIds(List<byte[]> values) {
    List<String> ids = new ArrayList<>();
    for (byte[] value : values) {
      var record = Chains.tree(value);
      if (record.get("kind").asText().equals("trigger")) {
        ids.add(record.get("eventId").asText());
      }
    }
    return ids;
  }

  private Process launch(List<String> args, int life) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Xmx256m");
    // Start fast: the test waits for every life of the writer to come up.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
    command.add(WriterProcessMain.class.getName());
    command.addAll(args);
    File log = Path.of("target", "crash-writer-" + life + ".log").toFile();
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }
}
