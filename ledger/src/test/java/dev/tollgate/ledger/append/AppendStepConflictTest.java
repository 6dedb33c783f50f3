package dev.tollgate.ledger.append;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every distinct event is recorded (issue 17, section 1): the same id with the same content once,
 * the same id with other content again, marked as a conflict with the first record's seq; and the
 * auditor's verifier holds a ledger to exactly that rule.
 */
class AppendStepConflictTest {

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
  private final LedgerVerifier chain = verifier();

  @Test
  void append_sameIdSameContent_recordsItOnce() throws Exception {
    SourceEvent first = Chains.trigger("t1", 0);
    SourceEvent redelivered = Chains.trigger("t1", 1);

    StagedBatch batch = step.append(chain, List.of(first, redelivered), NOW);

    // The event's record, then the checkpoint that states the duplicate's offset.
    assertThat(batch.records())
        .extracting(StagedRecord::eventId)
        .containsExactly("t1", "checkpoint:1");
    assertThat(batch.duplicates()).containsExactly("t1");
    assertThat(batch.conflicts()).isEmpty();
    assertThat(tree(batch, 0).has("conflictsWith")).isFalse();
  }

  @Test
  void append_sameIdOtherContent_recordsItMarkedWithTheFirstSeq() throws Exception {
    step.append(chain, List.of(Chains.trigger("t0", 0)), NOW);
    chain.markCommitted();
    SourceEvent error = decision("d1", "error", 0);
    SourceEvent admitted = decision("d1", "admitted", 1);

    StagedBatch batch = step.append(chain, List.of(error, admitted), NOW);

    assertThat(batch.records()).hasSize(2);
    assertThat(batch.appended()).isEqualTo(2);
    assertThat(batch.duplicates()).isEmpty();
    assertThat(batch.conflicts()).containsExactly("d1");
    assertThat(tree(batch, 0).has("conflictsWith")).isFalse();
    assertThat(tree(batch, 1).get("conflictsWith").asLong()).isEqualTo(1);
    assertThat(tree(batch, 1).get("eventId").asText()).isEqualTo("d1");
  }

  @Test
  void append_conflictRedelivered_isADuplicateOfTheConflictingRecord() throws Exception {
    step.append(chain, List.of(decision("d1", "error", 0), decision("d1", "admitted", 1)), NOW);
    chain.markCommitted();

    StagedBatch again =
        step.append(chain, List.of(decision("d1", "admitted", 2), decision("d1", "error", 3)), NOW);

    assertThat(again.records()).extracting(StagedRecord::eventId).containsExactly("checkpoint:2");
    assertThat(again.duplicates()).containsExactly("d1", "d1");
  }

  @Test
  void append_rolledBackConflict_isRecordedAgainAsAConflict() throws Exception {
    step.append(chain, List.of(decision("d1", "error", 0)), NOW);
    chain.markCommitted();
    step.append(chain, List.of(decision("d1", "admitted", 1)), NOW);
    chain.rollback();

    StagedBatch retried = step.append(chain, List.of(decision("d1", "admitted", 1)), NOW);

    assertThat(retried.conflicts()).containsExactly("d1");
    assertThat(chain.records("d1")).hasSize(2);
  }

  @Test
  void verifyNext_repeatedIdWithoutConflictsWith_failsAsDuplicateEvent() throws Exception {
    List<byte[]> values = new ArrayList<>();
    ChainHead head = ChainHead.EMPTY;
    for (SourceEvent event : List.of(decision("d1", "error", 0), decision("d1", "admitted", 1))) {
      // An old writer's rule, or a forger's: the second record repeats the id unmarked.
      byte[] value = RecordBuilder.build(head, event, NOW, signer);
      values.add(value);
      head = head.append(LedgerRecord.recordHash(Chains.tree(value)));
    }
    LedgerVerifier auditor = verifier();
    auditor.verifyNext(values.get(0));

    assertThatThrownBy(() -> auditor.verifyNext(values.get(1)))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ChainException.Reason.DUPLICATE_EVENT);
              assertThat(e.getMessage()).contains("d1", "seq 0", "conflictsWith");
            });
  }

  @Test
  void verifyNext_conflictsWithOnIdenticalContent_failsAsDuplicateEvent() throws Exception {
    SourceEvent event = decision("d1", "error", 0);
    byte[] first = RecordBuilder.build(ChainHead.EMPTY, event, NOW, signer);
    ChainHead head = ChainHead.EMPTY.append(LedgerRecord.recordHash(Chains.tree(first)));
    byte[] repeat =
        RecordBuilder.build(
            head, RecordBuilder.prepare(decision("d1", "error", 1)), NOW, signer, 0L);
    LedgerVerifier auditor = verifier();
    auditor.verifyNext(first);

    assertThatThrownBy(() -> auditor.verifyNext(repeat))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ChainException.Reason.DUPLICATE_EVENT);
              assertThat(e.getMessage()).contains("same content at seq 0");
            });
  }

  @Test
  void verifyNext_conflictsWithNamingAnotherSeq_failsAsConflictInvalid() throws Exception {
    byte[] t0 = RecordBuilder.build(ChainHead.EMPTY, Chains.trigger("t0", 0), NOW, signer);
    ChainHead head = ChainHead.EMPTY.append(LedgerRecord.recordHash(Chains.tree(t0)));
    byte[] d1 = RecordBuilder.build(head, decision("d1", "error", 0), NOW, signer);
    head = head.append(LedgerRecord.recordHash(Chains.tree(d1)));
    byte[] wrong =
        RecordBuilder.build(
            head, RecordBuilder.prepare(decision("d1", "admitted", 1)), NOW, signer, 0L);
    LedgerVerifier auditor = verifier();
    auditor.verifyNext(t0);
    auditor.verifyNext(d1);

    assertThatThrownBy(() -> auditor.verifyNext(wrong))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ChainException.Reason.CONFLICT_INVALID);
              assertThat(e.getMessage()).contains("first record of event d1 is seq 1");
            });
  }

  @Test
  void verifyNext_conflictsWithOnANewId_failsAsConflictInvalid() {
    byte[] marked =
        RecordBuilder.build(
            ChainHead.EMPTY.append("sha256:" + "1".repeat(64)),
            RecordBuilder.prepare(decision("d1", "error", 0)),
            NOW,
            signer,
            0L);
    LedgerVerifier auditor =
        LedgerVerifier.resuming(
            ChainHead.EMPTY.append("sha256:" + "1".repeat(64)),
            List.of(signer.publicKey()),
            List.of(),
            Optional.empty(),
            inMemoryTreeOfOne(),
            Optional.empty(),
            Optional.empty(),
            0);

    assertThatThrownBy(() -> auditor.verifyNext(marked))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> assertThat(e.reason()).isEqualTo(ChainException.Reason.CONFLICT_INVALID));
  }

  @Test
  void index_errorThenAdmitted_theAdmittedDecisionAdmitsTheRun() throws Exception {
    StagedBatch batch =
        step.append(chain, List.of(decision("d1", "error", 0), decision("d1", "admitted", 1)), NOW);
    LedgerIndex index = new LedgerIndex();
    for (StagedRecord record : batch.records()) {
      index.add(record.seq(), record.value());
    }

    assertThat(index.decisions("d1")).hasSize(2);
    assertThat(index.decision("d1").orElseThrow().seq()).isEqualTo(1);
    assertThat(index.admitting("d1", "trigger-1", "tenant-a", "run-d1")).isPresent();
    assertThat(index.admitting("d1", "trigger-1", "tenant-a", "another-run")).isEmpty();
    assertThat(index.decisionId("d1")).containsExactly(0L, 1L);
  }

  @Test
  void index_admittedThenError_theLaterErrorNeverUndoesTheAdmission() throws Exception {
    StagedBatch batch =
        step.append(chain, List.of(decision("d1", "admitted", 0), decision("d1", "error", 1)), NOW);
    LedgerIndex index = new LedgerIndex();
    for (StagedRecord record : batch.records()) {
      index.add(record.seq(), record.value());
    }

    assertThat(index.decision("d1").orElseThrow().seq()).isZero();
    assertThat(index.admitting("d1", "trigger-1", "tenant-a", "run-d1")).isPresent();
  }

  @Test
  void append_unauthenticatedThenVerifiedSameContent_recordsTheVerifiedOneAsAdmitting()
      throws Exception {
    // Someone who can write to the decisions topic copies the verifier's decision before it
    // arrives: the copy must not pre-empt the genuine one.
    SourceEvent forged = EventKeys.unsigned(unsignedDecision("d1", "admitted", 0));
    SourceEvent genuine = decision("d1", "admitted", 1);

    StagedBatch batch = step.append(chain, List.of(forged, genuine), NOW);
    LedgerIndex index = new LedgerIndex();
    for (StagedRecord record : batch.records()) {
      index.add(record.seq(), record.value());
    }

    assertThat(batch.duplicates()).isEmpty();
    assertThat(batch.unauthenticated()).isEqualTo(1);
    assertThat(tree(batch, 0).path("authentication").path("result").asText()).isEqualTo("unsigned");
    assertThat(tree(batch, 1).path("authentication").path("result").asText()).isEqualTo("verified");
    assertThat(tree(batch, 1).get("conflictsWith").asLong()).isZero();
    assertThat(index.decision("d1").orElseThrow().seq()).isEqualTo(1);
    assertThat(index.admitting("d1", "trigger-1", "tenant-a", "run-d1").orElseThrow().seq())
        .isEqualTo(1);
  }

  @Test
  void append_unauthenticatedThenVerifiedOtherContent_recordsTheVerifiedOneAsAdmitting()
      throws Exception {
    SourceEvent forged = EventKeys.unsigned(unsignedDecision("d1", "error", 0));
    SourceEvent genuine = decision("d1", "admitted", 1);

    StagedBatch batch = step.append(chain, List.of(forged, genuine), NOW);
    LedgerIndex index = new LedgerIndex();
    for (StagedRecord record : batch.records()) {
      index.add(record.seq(), record.value());
    }

    assertThat(batch.conflicts()).containsExactly("d1");
    assertThat(index.decisions("d1")).extracting(d -> d.seq()).containsExactly(1L);
    assertThat(index.admitting("d1", "trigger-1", "tenant-a", "run-d1")).isPresent();
  }

  @Test
  void append_verifiedThenUnauthenticatedSameContent_skipsTheCopy() throws Exception {
    StagedBatch batch =
        step.append(
            chain,
            List.of(
                decision("d1", "admitted", 0),
                EventKeys.unsigned(unsignedDecision("d1", "admitted", 1))),
            NOW);

    assertThat(batch.duplicates()).containsExactly("d1");
    assertThat(batch.unauthenticated()).isZero();
  }

  @Test
  void append_unauthenticatedAdmittedAlone_neverAdmits() throws Exception {
    StagedBatch batch =
        step.append(chain, List.of(EventKeys.unsigned(unsignedDecision("d1", "admitted", 0))), NOW);
    LedgerIndex index = new LedgerIndex();
    for (StagedRecord record : batch.records()) {
      index.add(record.seq(), record.value());
    }

    assertThat(index.decision("d1")).isEmpty();
    assertThat(index.admitting("d1", "trigger-1", "tenant-a", "run-d1")).isEmpty();
  }

  @Test
  void verifyNext_verifiedCopyOfVerifiedRecord_failsAsDuplicateEvent() throws Exception {
    SourceEvent event = decision("d1", "admitted", 0);
    byte[] first =
        RecordBuilder.build(ChainHead.EMPTY, event, EventKeys.genuine(event), NOW, signer);
    LedgerVerifier auditor = verifier();
    ChainHead head = ChainHead.EMPTY.append(auditor.verifyNext(first).hash());
    byte[] again =
        RecordBuilder.build(
            head,
            RecordBuilder.prepare(decision("d1", "admitted", 1)),
            EventKeys.genuine(event),
            NOW,
            signer,
            0L);

    assertThatThrownBy(() -> auditor.verifyNext(again))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> assertThat(e.reason()).isEqualTo(ChainException.Reason.DUPLICATE_EVENT));
  }

  private static MerkleTree inMemoryTreeOfOne() {
    MerkleTree tree = MerkleTree.inMemory();
    tree.append("placeholder".getBytes(StandardCharsets.UTF_8));
    return tree;
  }

  private LedgerVerifier verifier() {
    return LedgerVerifier.trusting(
        List.of(signer.publicKey()),
        Optional.of(CheckpointPolicy.defaultOrigin(LEDGER)),
        MerkleTree.inMemory());
  }

  /**
   * A decision event of trigger-1 with this outcome, signed by the verifier; admitted ones created
   * run-d1.
   */
  private static SourceEvent decision(String decisionId, String outcome, long offset) {
    return EventKeys.signed(unsignedDecision(decisionId, outcome, offset), EventKeys.verifier());
  }

  /** The decision as anyone who can write to the decisions topic can produce it: unsigned. */
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

  private static JsonNode tree(StagedBatch batch, int index) {
    return Chains.tree(batch.records().get(index).value());
  }
}
