package dev.tollgate.ledger.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.port.PortException;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.InMemoryLedgerPort;
import dev.tollgate.ledger.testing.InMemoryLedgerPort.Operation;
import dev.tollgate.ledger.testing.LogCapture;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.ledger.LedgerRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure branch of the writer's transactions, reached through an in-memory port instead of a
 * broker: a commit that fails, one that reached the topic but answered with an error, an abort that
 * fails, a data directory that cannot be written, a topic cut below the head the writer kept, and a
 * writer fenced by a newer one. Each test checks that the ledger holds every event exactly once,
 * the state the writer ends in, and what it reports: metrics, readiness and log.
 */
class LedgerWriterFailureTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String TRIGGERS = "tollgate.triggers.v1";
  private static final String LEDGER = "tollgate.ledger.v1";
  private static final String ORIGIN = CheckpointPolicy.defaultOrigin(LEDGER);

  @TempDir Path tmp;

  private final List<LedgerWriter> writers = new ArrayList<>();
  private final LedgerSigner signer = TestKeys.signer();
  private final InMemoryLedgerPort port =
      new InMemoryLedgerPort(Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER));
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
  void commit_fails_abortsAndAppendsTheSameEventsOnceInTheSameSession() throws Exception {
    LedgerWriter writer = start(Optional.empty());
    MeterRegistry metrics = metrics(writer);
    port.failNext(Operation.COMMIT, PortException.Reason.FAILED);

    port.send(TRIGGERS, List.of("a0", "a1", "a2", "a3"));
    awaitEvents(4);

    // every three records a checkpoint: the one staged in the failed batch was rolled back too
    assertLedgerHoldsOnce("a0", "a1", "a2", "a3");
    assertThat(kinds()).containsExactly("trigger", "trigger", "trigger", "checkpoint", "trigger");
    assertThat(port.sessionsOpened()).isEqualTo(1);
    assertThat(log.warnings("ledger transaction of 4 events failed")).hasSize(1);
    assertWriting(writer, metrics);
    assertThat(metrics.get("tollgate.ledger.records.appended").functionCounter().count())
        .isEqualTo(4);
    assertThat(writer.committed().orElseThrow().size()).isEqualTo(5);
    assertThat(port.committedPosition(TRIGGERS)).isEqualTo(4);
  }

  @Test
  void commit_reachedTheTopicButFailed_recoversFromTheTopicAndRecordsNothingTwice()
      throws Exception {
    LedgerWriter writer = start(Optional.empty());
    MeterRegistry metrics = metrics(writer);
    port.commitReachesTopicThenFails();

    port.send(TRIGGERS, List.of("b0", "b1"));
    await().atMost(WAIT).until(() -> port.sessionsOpened() == 2 && writing(writer));
    port.send(TRIGGERS, List.of("b2"));
    awaitEvents(3);

    assertLedgerHoldsOnce("b0", "b1", "b2");
    assertThat(log.warnings("cannot abort")).hasSize(1);
    // The lost answer hid b0 and b1 from the counter; the new session found them on the topic.
    assertThat(writer.recoveryReadCount()).isEqualTo(2);
    assertThat(writer.appendedCount()).isEqualTo(1);
    assertWriting(writer, metrics);
    assertThat(kinds()).containsExactly("trigger", "trigger", "trigger", "checkpoint");
    assertThat(writer.committed().orElseThrow().size()).isEqualTo(4);
  }

  @Test
  void abort_fails_startsANewSessionAndAppendsEveryEventOnce() throws Exception {
    LedgerWriter writer = start(Optional.empty());
    MeterRegistry metrics = metrics(writer);
    port.failNext(Operation.COMMIT, PortException.Reason.FAILED);
    port.failNext(Operation.ABORT, PortException.Reason.FAILED);

    port.send(TRIGGERS, List.of("c0", "c1"));
    awaitEvents(2);

    assertLedgerHoldsOnce("c0", "c1");
    assertThat(port.sessionsOpened()).isEqualTo(2);
    assertThat(log.warnings("scheduled ABORT failure")).hasSize(1);
    assertWriting(writer, metrics);
    assertThat(metrics.get("tollgate.ledger.records.appended").functionCounter().count())
        .isEqualTo(2);
  }

  @Test
  void abort_fenced_stopsForGoodAndLeavesItsEventsToTheNextWriter() throws Exception {
    LedgerWriter writer = start(Optional.empty());
    MeterRegistry metrics = metrics(writer);
    port.failNext(Operation.COMMIT, PortException.Reason.FAILED);
    port.failNext(Operation.ABORT, PortException.Reason.FENCED);

    port.send(TRIGGERS, List.of("d0", "d1"));
    await().atMost(WAIT).until(() -> writer.state() == WriterState.FENCED);

    assertFenced(writer, metrics);
    assertThat(port.ledgerValues()).isEmpty();
    assertThat(port.committedPosition(TRIGGERS)).isZero();
    LedgerWriter next = start(Optional.empty());
    awaitEvents(2);
    assertLedgerHoldsOnce("d0", "d1");
    assertThat(next.state()).isEqualTo(WriterState.WRITING);
  }

  @Test
  void commit_fencedByANewerWriter_stopsForGoodAndTheNewerOneRecordsEveryEventOnce()
      throws Exception {
    LedgerWriter first = start(Optional.empty());
    MeterRegistry metrics = metrics(first);
    port.send(TRIGGERS, List.of("e0"));
    awaitEvents(1);

    LedgerWriter second = start(Optional.empty());
    port.send(TRIGGERS, List.of("e1", "e2"));
    await().atMost(WAIT).until(() -> first.state() == WriterState.FENCED);
    awaitEvents(3);

    assertFenced(first, metrics);
    assertThat(first.committed().orElseThrow().size()).isEqualTo(1);
    assertLedgerHoldsOnce("e0", "e1", "e2");
    assertThat(second.state()).isEqualTo(WriterState.WRITING);
  }

  @Test
  void persist_dataDirCannotBeWritten_dropsItAndRebuildsItFromTheTopic() throws Exception {
    Path dataDir = tmp.resolve("data");
    LedgerWriter writer = start(Optional.of(dataDir));
    MeterRegistry metrics = metrics(writer);
    port.send(TRIGGERS, List.of("f0"));
    awaitEvents(1);
    // The state file is replaced through a temporary file; a directory in its place fails that.
    // The writer may be persisting just now (its temporary file is there until it is moved).
    Path blocker = dataDir.resolve("state.json.tmp");
    await()
        .atMost(WAIT)
        .ignoreException(FileAlreadyExistsException.class)
        .until(() -> Files.isDirectory(Files.createDirectory(blocker)));

    port.send(TRIGGERS, List.of("f1"));
    await()
        .atMost(WAIT)
        .until(() -> !log.errors("cannot write the ledger data directory").isEmpty());
    await().atMost(WAIT).until(() -> writer.state() == WriterState.RECOVERING);

    // Committed on the topic, so not lost; not served before the state is whole again.
    assertThat(eventIds()).containsExactly("f0", "f1");
    assertThat(writer.committed().orElseThrow().size()).isEqualTo(1);
    assertThat(readiness(writer)).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(metrics.get(LedgerService.WRITER_WRITING).gauge().value()).isZero();

    Files.delete(blocker);
    await().atMost(WAIT).until(() -> writing(writer));
    assertThat(writer.recoveryReadCount()).isEqualTo(2);
    assertThat(writer.committed().orElseThrow().size()).isEqualTo(2);
    port.send(TRIGGERS, List.of("f1", "f2"));
    awaitEvents(3);
    assertLedgerHoldsOnce("f0", "f1", "f2");
    assertWriting(writer, metrics);

    // The rebuilt directory is whole: a restart reads only the kept head back.
    writer.close();
    LedgerWriter restarted = start(Optional.of(dataDir));
    assertThat(restarted.recoveryReadCount()).isEqualTo(1);
    assertThat(restarted.committed().orElseThrow().index().triggerId("github:f2"))
        .containsExactly(2L);
  }

  @Test
  void recover_topicCutBelowTheKeptHead_refusesToWriteAndSaysWhy() throws Exception {
    Path dataDir = tmp.resolve("data");
    LedgerWriter first = start(Optional.of(dataDir));
    port.send(TRIGGERS, List.of("g0", "g1", "g2"));
    awaitEvents(3);
    first.close();
    port.truncateLedger(1);

    LedgerWriter writer = newWriter(Optional.of(dataDir));
    MeterRegistry metrics = metrics(writer);
    writer.start();
    await().atMost(WAIT).until(() -> writer.state() == WriterState.CHAIN_INVALID);
    port.send(TRIGGERS, List.of("g3"));
    writer.close();

    assertThat(writer.state()).isEqualTo(WriterState.CHAIN_INVALID);
    assertThat(log.errors("does not verify at seq 3")).hasSize(1);
    assertThat(log.errors("records were cut off its tail")).hasSize(1);
    assertThat(writer.committed()).isEmpty();
    assertThat(readiness(writer)).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(metrics.get(LedgerService.WRITER_WRITING).gauge().value()).isZero();
    assertThat(eventIds()).containsExactly("g0");
    assertThat(port.committedPosition(TRIGGERS)).isEqualTo(3);
  }

  @Test
  void recover_topicUnreadable_retriesAndThenWrites() throws Exception {
    port.failNext(Operation.READ, PortException.Reason.FAILED);
    port.failNext(Operation.OPEN, PortException.Reason.FAILED);

    LedgerWriter writer = start(Optional.empty());
    port.send(TRIGGERS, List.of("h0"));
    awaitEvents(1);

    assertThat(log.warnings("scheduled OPEN failure")).hasSize(1);
    assertThat(log.warnings("cannot read the ledger back (scheduled READ failure")).hasSize(1);
    assertThat(port.sessionsOpened()).isEqualTo(2);
    assertLedgerHoldsOnce("h0");
    assertThat(writer.state()).isEqualTo(WriterState.WRITING);
  }

  @Test
  void poll_fails_startsOverWithoutLosingEvents() throws Exception {
    LedgerWriter writer = start(Optional.empty());
    port.send(TRIGGERS, List.of("i0"));
    awaitEvents(1);
    port.failNext(Operation.POLL, PortException.Reason.FAILED);

    port.send(TRIGGERS, List.of("i1"));
    awaitEvents(2);

    assertThat(log.warnings("scheduled POLL failure")).hasSize(1);
    assertThat(port.sessionsOpened()).isEqualTo(2);
    assertLedgerHoldsOnce("i0", "i1");
    assertThat(writer.state()).isEqualTo(WriterState.WRITING);
  }

  @Test
  void close_whileWriting_stopsWithoutLosingCommittedState() throws Exception {
    LedgerWriter writer = start(Optional.empty());
    port.send(TRIGGERS, List.of("j0"));
    awaitEvents(1);

    writer.close();

    assertThat(writer.state()).isEqualTo(WriterState.STOPPED);
    assertThat(readiness(writer)).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(writer.committed().orElseThrow().size()).isEqualTo(1);
  }

  private LedgerWriter start(Optional<Path> dataDir) {
    LedgerWriter writer = newWriter(dataDir);
    writer.start();
    await().atMost(WAIT).until(() -> writing(writer));
    return writer;
  }

  private LedgerWriter newWriter(Optional<Path> dataDir) {
    WriterSettings settings =
        new WriterSettings(
            "unused:9092",
            Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER),
            LEDGER,
            "tollgate-ledger",
            "tollgate-ledger-writer",
            Duration.ofMillis(20),
            Duration.ofMillis(20),
            new CheckpointPolicy(ORIGIN, 3, Duration.ofHours(1)),
            dataDir);
    LedgerWriter writer = new LedgerWriter(settings, port, signer, List.of(), Clock.systemUTC());
    writers.add(writer);
    return writer;
  }

  private static boolean writing(LedgerWriter writer) {
    return writer.state() == WriterState.WRITING;
  }

  private static MeterRegistry metrics(LedgerWriter writer) {
    MeterRegistry registry = new SimpleMeterRegistry();
    LedgerService.registerMetrics(registry, writer);
    return registry;
  }

  private static HealthCheckResponse.Status readiness(LedgerWriter writer) {
    return LedgerReadiness.of(writer).getStatus();
  }

  private void awaitEvents(int count) {
    await().atMost(WAIT).until(() -> eventIds().size() >= count);
  }

  /** The event ids of the source-event records on the ledger topic, in order. */
  private List<String> eventIds() {
    return port.ledgerValues().stream()
        .map(Chains::tree)
        .filter(r -> r.get("kind").asText().equals("trigger"))
        .map(r -> r.get("eventId").asText())
        .toList();
  }

  private List<String> kinds() {
    return port.ledgerValues().stream().map(v -> Chains.tree(v).get("kind").asText()).toList();
  }

  /** Exactly these events, each once, in a chain the auditor's verifier accepts. */
  private void assertLedgerHoldsOnce(String... ids) throws Exception {
    assertThat(eventIds()).containsExactly(ids);
    LedgerVerifier verifier =
        LedgerVerifier.trusting(
            List.of(signer.publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());
    for (byte[] value : port.ledgerValues()) {
      verifier.verifyNext(value);
    }
  }

  private static void assertWriting(LedgerWriter writer, MeterRegistry metrics) {
    assertThat(writer.state()).isEqualTo(WriterState.WRITING);
    assertThat(readiness(writer)).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(metrics.get(LedgerService.WRITER_WRITING).gauge().value()).isEqualTo(1);
    assertThat(metrics.get(LedgerService.WRITER_FENCED).functionCounter().count()).isZero();
  }

  private void assertFenced(LedgerWriter writer, MeterRegistry metrics) {
    assertThat(writer.state()).isEqualTo(WriterState.FENCED);
    assertThat(writer.fencedCount()).isEqualTo(1);
    assertThat(metrics.get(LedgerService.WRITER_FENCED).functionCounter().count()).isEqualTo(1);
    assertThat(metrics.get(LedgerService.WRITER_WRITING).gauge().value()).isZero();
    assertThat(readiness(writer)).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(log.errors("another ledger writer with transactional id tollgate-ledger-writer"))
        .isNotEmpty();
  }
}
