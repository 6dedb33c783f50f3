package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.port.PortException;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.InMemoryLedgerPort;
import dev.tollgate.ledger.testing.LogCapture;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.ledger.LedgerRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer never skips silently (issue 17, section 2): no automatic offset reset, a lost source
 * position is a terminal state with a metric and readiness down, and the time left before source
 * retention can delete an unrecorded event is a metric.
 */
class SourcePositionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String TRIGGERS = "tollgate.triggers.v1";
  private static final String LEDGER = "tollgate.ledger.v1";
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private final LedgerSigner signer = TestKeys.signer();
  private final InMemoryLedgerPort port =
      new InMemoryLedgerPort(Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER));
  private final List<LedgerWriter> writers = new ArrayList<>();
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.ledger();
  }

  @AfterEach
  void stop() {
    writers.forEach(LedgerWriter::close);
    log.close();
  }

  @Test
  void start_committedPositionLostOnANonEmptyLedger_stopsInSourcePositionLost() {
    LedgerWriter first = start();
    port.send(TRIGGERS, List.of("p0", "p1"));
    await().atMost(WAIT).until(() -> first.appendedCount() == 2);
    first.close();
    port.loseCommittedPositions();

    LedgerWriter second = newWriter(Clock.systemUTC());
    MeterRegistry metrics = metrics(second);
    second.start();
    await().atMost(WAIT).until(() -> second.state().isFinal());

    assertThat(second.state()).isEqualTo(WriterState.SOURCE_POSITION_LOST);
    assertThat(LedgerReadiness.of(second).getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(metrics.get(LedgerService.WRITER_POSITION_LOST).gauge().value()).isEqualTo(1);
    assertThat(metrics.get(LedgerService.WRITER_WRITING).gauge().value()).isZero();
    assertThat(log.errors("no committed position for [" + TRIGGERS + "-0]")).hasSize(1);
    // Nothing re-read from the beginning, nothing recorded twice.
    assertThat(sourceRecords()).isEqualTo(2);
  }

  @Test
  void start_brandNewLedgerWithoutCommittedPositions_readsTheSourcesFromTheBeginning() {
    port.loseCommittedPositions();
    port.send(TRIGGERS, List.of("n0", "n1", "n2"));

    LedgerWriter writer = start();

    await().atMost(WAIT).until(() -> writer.appendedCount() == 3);
    assertThat(writer.state()).isEqualTo(WriterState.WRITING);
    assertThat(sourceRecords()).isEqualTo(3);
  }

  @Test
  void retentionHeadroom_writerStoppedWithAnUnrecordedEvent_isRetentionLessItsAge() {
    port.sourceRetention(Duration.ofDays(7));
    port.eventTimestamp(NOW.minus(Duration.ofDays(6)));
    LedgerWriter writer = newWriter(Clock.fixed(NOW, ZoneOffset.UTC));
    MeterRegistry metrics = metrics(writer);
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.WRITING);

    // The event is polled, its transaction never commits: the writer stops with it unrecorded.
    port.failNext(InMemoryLedgerPort.Operation.COMMIT, PortException.Reason.FENCED);
    port.send(TRIGGERS, List.of("r0"));
    await().atMost(WAIT).until(() -> writer.state() == WriterState.FENCED);

    assertThat(metrics.get(LedgerService.RETENTION_HEADROOM).gauge().value())
        .isEqualTo(Duration.ofDays(1).toSeconds());
  }

  @Test
  void retentionHeadroom_caughtUp_isTheWholeRetention() {
    port.sourceRetention(Duration.ofDays(7));
    LedgerWriter writer = start();

    assertThat(writer.retentionHeadroomSeconds()).isEqualTo(Duration.ofDays(7).toSeconds());
  }

  @Test
  void retentionHeadroom_retentionUnknown_isNaN() {
    LedgerWriter writer = start();

    assertThat(writer.retentionHeadroomSeconds()).isNaN();
  }

  private long sourceRecords() {
    return port.ledgerValues().stream()
        .filter(v -> Chains.tree(v).get("kind").asText().equals("trigger"))
        .count();
  }

  private LedgerWriter start() {
    LedgerWriter writer = newWriter(Clock.systemUTC());
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.WRITING);
    return writer;
  }

  private LedgerWriter newWriter(Clock clock) {
    WriterSettings settings =
        new WriterSettings(
            "unused:9092",
            Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER),
            LEDGER,
            "tollgate-ledger",
            "tollgate-ledger-writer",
            Duration.ofMillis(20),
            Duration.ofMillis(20),
            new CheckpointPolicy(CheckpointPolicy.defaultOrigin(LEDGER), 3, Duration.ofHours(1)),
            Optional.empty());
    LedgerWriter writer = new LedgerWriter(settings, port, signer, List.of(), clock);
    writers.add(writer);
    return writer;
  }

  private static MeterRegistry metrics(LedgerWriter writer) {
    MeterRegistry registry = new SimpleMeterRegistry();
    LedgerService.registerMetrics(registry, writer);
    return registry;
  }
}
