package dev.tollgate.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.append.AppendStep;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.RecordedEvent;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's event ids and links live on disk in its data directory (issue 17, section 5), not in
 * its heap: what a commit wrote is found again after a restart, with whether each event was
 * authenticated (a verified event must still be recorded after an unauthenticated copy of it) and
 * each decision's outcome; what was never committed is not, whether it was rolled back or the
 * process stopped before the commit.
 */
class LedgerDataDirIndexTest {

  private static final String LEDGER = "tollgate.ledger.v1";
  private static final String DECISIONS = "tollgate.decisions.v1";
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private final LedgerSigner signer = TestKeys.signer();
  private final AppendStep step =
      new AppendStep(
          signer,
          signer,
          List.of(),
          new CheckpointPolicy(CheckpointPolicy.defaultOrigin(LEDGER), 1000, Duration.ofHours(1)),
          EventKeys.trust(),
          Clock.fixed(NOW, ZoneOffset.UTC));

  @TempDir Path directory;

  @Test
  void load_afterCommit_keepsWhetherEachEventWasAuthenticated() throws Exception {
    SourceEvent event = Chains.trigger("t1", 0);
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerState state = fresh(dataDir);
      commit(
          state,
          List.of(
              EventKeys.unsigned(event),
              EventKeys.signed(Chains.trigger("t1", 1), EventKeys.gateway())));
    }

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      StoredLedger stored = dataDir.load().orElseThrow();

      assertThat(stored.eventIds().records("t1"))
          .extracting(RecordedEvent::seq, RecordedEvent::authenticated)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(0L, false),
              org.assertj.core.groups.Tuple.tuple(1L, true));
    }
  }

  @Test
  void load_afterCommit_findsEveryDecisionAndItsOutcome() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerState state = fresh(dataDir);
      commit(
          state,
          List.of(
              decision("d1", "error", 0),
              decision("d1", "admitted", 1),
              EventKeys.unsigned(unsignedDecision("d2", "admitted", 2))));
    }

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerIndex index = dataDir.load().orElseThrow().index();

      assertThat(index.decisions("d1")).extracting(d -> d.seq()).containsExactly(0L, 1L);
      assertThat(index.admitting("d1", "trigger-1", "tenant-a", "run-d1")).isPresent();
      // The unauthenticated decision is findable by its links, but never admits.
      assertThat(index.decisionId("d2")).containsExactly(2L);
      assertThat(index.decisions("d2")).isEmpty();
      assertThat(index.record(2).orElseThrow().authenticated()).isFalse();
      assertThat(index.triggerId("trigger-1")).containsExactly(0L, 1L, 2L);
    }
  }

  @Test
  void load_afterCommit_admittingDecisionKeepsEveryDigestItPinned() throws Exception {
    String pipeline = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
    String task = "sha256:" + "1".repeat(64);
    ObjectNode data = Chains.tree(Chains.decisionData("trigger-9", "d9"));
    data.putObject("verification")
        .putArray("checks")
        .addObject()
        .put("outcome", "passed")
        .putObject("evidence")
        .put("pinned", "registry.acme.example/tasks/build@" + task);
    SourceEvent event =
        EventKeys.signed(
            new SourceEvent(
                LedgerRecord.Kind.DECISION,
                "d9",
                "dev.tollgate.decision.v1",
                new LedgerRecord.SourcePosition(DECISIONS, 0, 0),
                CanonicalJson.bytes(data)),
            EventKeys.verifier());
    String namespace = data.path("pipelineRun").path("namespace").asText();
    String name = data.path("pipelineRun").path("name").asText();
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      commit(fresh(dataDir), List.of(event));
    }

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerIndex index = dataDir.load().orElseThrow().index();

      // What the run watch compares Tekton's resolved refSource with, after a restart too.
      assertThat(index.admitting("d9", "trigger-9", namespace, name).orElseThrow().pinnedDigests())
          .containsExactly(pipeline, task);
    }
  }

  @Test
  void rollback_ofAnAbortedBatch_forgetsItsEventIds() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerState state = fresh(dataDir);
      commit(state, List.of(Chains.trigger("t1", 0)));
      step.append(state.chain(), List.of(Chains.trigger("t2", 1), decision("d1", "error", 2)), NOW);
      assertThat(state.chain().records("t2")).hasSize(1);

      state.discard();

      assertThat(state.chain().records("t2")).isEmpty();
      assertThat(state.chain().records("d1")).isEmpty();
      assertThat(state.chain().records("t1")).hasSize(1);
      // The same event staged again is recorded once, not taken for a duplicate of itself.
      commit(state, List.of(Chains.trigger("t2", 1)));
      assertThat(state.chain().records("t2")).extracting(RecordedEvent::seq).containsExactly(1L);
    }
  }

  @Test
  void load_afterAStopBeforeTheCommit_holdsOnlyWhatWasCommitted() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerState state = fresh(dataDir);
      commit(state, List.of(Chains.trigger("t1", 0)));
      // Staged and even indexed, but the process stops before the data directory commits.
      StagedBatch batch = step.append(state.chain(), List.of(Chains.trigger("t2", 1)), NOW);
      state.chain().markCommitted();
      for (StagedRecord record : batch.records()) {
        state.index().add(record.seq(), record.value());
      }
      ((DiskRecordedEvents) dataDir.recordedEvents()).persist();
    }

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      StoredLedger stored = dataDir.load().orElseThrow();

      assertThat(stored.head().size()).isEqualTo(1);
      assertThat(stored.eventIds().records("t1")).hasSize(1);
      assertThat(stored.eventIds().records("t2")).isEmpty();
      assertThat(stored.index().triggerId("t2")).isEmpty();
      assertThat(Files.size(directory.resolve("event-ids.bin"))).isEqualTo(eventIdsBytes());
    }
  }

  @Test
  void load_withTheTablesDeleted_rebuildsThemFromTheLogs() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerState state = fresh(dataDir);
      commit(state, List.of(Chains.trigger("t1", 0), decision("d1", "admitted", 1)));
    }
    Files.delete(directory.resolve("event-ids.idx"));
    Files.write(directory.resolve("links.idx"), new byte[] {1, 2, 3});

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      StoredLedger stored = dataDir.load().orElseThrow();

      assertThat(stored.eventIds().records("t1")).hasSize(1);
      assertThat(stored.eventIds().records("d1")).hasSize(1);
      assertThat(stored.index().admitting("d1", "trigger-1", "tenant-a", "run-d1")).isPresent();
    }
  }

  private long eventIdsBytes() throws Exception {
    return Chains.tree(Files.readAllBytes(directory.resolve("state.json")))
        .path("eventIdsBytes")
        .asLong();
  }

  private LedgerState fresh(LedgerDataDir dataDir) throws Exception {
    assertThat(dataDir.load()).isEmpty();
    LedgerVerifier chain =
        LedgerVerifier.trusting(
            List.of(signer.publicKey()),
            Optional.of(CheckpointPolicy.defaultOrigin(LEDGER)),
            dataDir.tree(),
            dataDir.recordedEvents());
    return new LedgerState(
        chain, dataDir.emptyOffsets(), dataDir.emptyIndex(), Optional.of(dataDir));
  }

  /** Stages the events and applies them as a committed transaction at offsets = seqs. */
  private void commit(LedgerState state, List<SourceEvent> events) throws Exception {
    StagedBatch batch = step.append(state.chain(), events, NOW);
    state.apply(batch, batch.records().stream().map(StagedRecord::seq).toList());
    assertThat(state.persist()).isTrue();
  }

  private static SourceEvent decision(String decisionId, String outcome, long offset) {
    return EventKeys.signed(unsignedDecision(decisionId, outcome, offset), EventKeys.verifier());
  }

  private static SourceEvent unsignedDecision(String decisionId, String outcome, long offset) {
    ObjectNode data = Chains.tree(Chains.decisionData("trigger-1", decisionId));
    data.put("outcome", outcome);
    ObjectNode run = data.putObject("pipelineRun");
    run.put("namespace", "tenant-a");
    run.put("name", "run-" + decisionId);
    if (!outcome.equals("admitted")) {
      data.remove("pipelineRun");
    }
    return new SourceEvent(
        LedgerRecord.Kind.DECISION,
        decisionId,
        "dev.tollgate.decision.v1",
        new LedgerRecord.SourcePosition(DECISIONS, 0, offset),
        CanonicalJson.bytes(data));
  }
}
