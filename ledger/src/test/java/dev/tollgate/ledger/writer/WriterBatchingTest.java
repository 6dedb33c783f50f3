package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.InMemoryLedgerPort;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer gathers events into transactions (issue 19): after the first event a transaction waits
 * up to the linger for more, and no longer than that nor beyond its size, so a lone event is
 * recorded at the linger and a full batch at once.
 */
class WriterBatchingTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TRIGGERS = "tollgate.triggers.v1";
  private static final String LEDGER = "tollgate.ledger.v1";

  private final LedgerSigner signer = TestKeys.signer();
  private final InMemoryLedgerPort port =
      new InMemoryLedgerPort(Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER));
  private final List<LedgerWriter> writers = new ArrayList<>();

  @AfterEach
  void stop() {
    writers.forEach(LedgerWriter::close);
  }

  @Test
  void append_loneEventUnderLinger_isRecordedAloneWhenTheLingerEnds() {
    start(new WriterSettings.Batching(1000, Duration.ofMillis(200)));

    port.send(TRIGGERS, List.of("a0"));

    // The batch is far from full: only the linger ending can have flushed it.
    await().atMost(WAIT).until(() -> eventIds().size() == 1);
    assertThat(eventIds()).containsExactly("a0");
    assertThat(port.commits()).isEqualTo(1);
  }

  @Test
  void append_eventsArrivingOneByOne_gathersThemIntoOneFullTransaction() {
    // A linger no test waits out: the batch is committed because it is full, not because time
    // passed, and holds the events polled one by one.
    start(new WriterSettings.Batching(3, Duration.ofHours(1)));

    port.send(TRIGGERS, List.of("b0"));
    port.send(TRIGGERS, List.of("b1"));
    port.send(TRIGGERS, List.of("b2"));

    await().atMost(WAIT).until(() -> eventIds().size() == 3);
    assertThat(eventIds()).containsExactly("b0", "b1", "b2");
    assertThat(port.commits()).isEqualTo(1);
  }

  @Test
  void append_zeroLinger_commitsWhatEachPollReturns() {
    start(new WriterSettings.Batching(1000, Duration.ZERO));

    port.send(TRIGGERS, List.of("c0"));
    await().atMost(WAIT).until(() -> eventIds().size() == 1);
    port.send(TRIGGERS, List.of("c1"));
    await().atMost(WAIT).until(() -> eventIds().size() == 2);

    assertThat(eventIds()).containsExactly("c0", "c1");
    assertThat(port.commits()).isEqualTo(2);
  }

  private void start(WriterSettings.Batching batching) {
    WriterSettings settings =
        new WriterSettings(
                "unused:9092",
                Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER),
                LEDGER,
                "tollgate-ledger",
                "tollgate-ledger-writer",
                Duration.ofMillis(20),
                Duration.ofMillis(20),
                new CheckpointPolicy(
                    CheckpointPolicy.defaultOrigin(LEDGER), 1000, Duration.ofHours(1)),
                Optional.empty())
            .withBatching(batching);
    LedgerWriter writer = new LedgerWriter(settings, port, signer, List.of(), Clock.systemUTC());
    writers.add(writer);
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.WRITING);
  }

  private List<String> eventIds() {
    return port.ledgerValues().stream()
        .map(Chains::tree)
        .filter(r -> r.get("kind").asText().equals("trigger"))
        .map(r -> r.get("eventId").asText())
        .toList();
  }
}
