package dev.tollgate.ledger.append;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.checkpoint.SourceGap;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Completeness anyone can check (issue 17, section 2): every checkpoint states, per source
 * partition, the offsets consumed since the last one and the duplicates among them; the auditor's
 * verifier proves the ranges contiguous and names every offset nothing explains.
 */
class SourceAccountingTest {

  private static final String LEDGER = "tollgate.ledger.v1";
  private static final String ORIGIN = CheckpointPolicy.defaultOrigin(LEDGER);
  private static final String TRIGGERS = "tollgate.triggers.v1";
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private final LedgerSigner signer = TestKeys.signer();
  private final AppendStep step =
      new AppendStep(
          signer,
          signer,
          List.of(),
          new CheckpointPolicy(ORIGIN, 3, Duration.ofHours(1)),
          Clock.fixed(NOW, ZoneOffset.UTC));
  private final LedgerVerifier chain = verifier();
  private final List<byte[]> ledger = new ArrayList<>();

  @Test
  void append_contiguousOffsets_checkpointStatesTheRangeAndTheAuditorFindsNoGap() throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));

    JsonNode sources = checkpointPayload(3).get("sources");
    assertThat(sources).hasSize(1);
    assertThat(sources.get(0).get("topic").asText()).isEqualTo(TRIGGERS);
    assertThat(sources.get(0).get("fromOffset").asLong()).isZero();
    assertThat(sources.get(0).get("nextOffset").asLong()).isEqualTo(3);
    LedgerVerifier auditor = audit();
    assertThat(auditor.sources().gaps()).isEmpty();
    assertThat(auditor.sources().statedFromSeq()).contains(3L);
    assertThat(auditor.sources().accounted().get(partition(0))).containsExactly(0, 3);
  }

  @Test
  void append_skippedOffsets_theAuditorNamesTheGapByTopicPartitionAndOffsets() throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));
    // The writer's position jumped from 3 to 7 (an offset reset, a seek): 3..6 never recorded.
    append(trigger("d", 7), trigger("e", 8), trigger("f", 9));

    JsonNode second = checkpointPayload(7).get("sources").get(0);
    assertThat(second.get("fromOffset").asLong()).isEqualTo(3);
    assertThat(second.get("nextOffset").asLong()).isEqualTo(10);
    List<SourceGap> gaps = audit().sources().gaps();
    assertThat(gaps).containsExactly(new SourceGap(TRIGGERS, 0, 3, 6, 7));
    assertThat(gaps.get(0).describe())
        .isEqualTo(TRIGGERS + "/0 offsets 3..6 (range of the checkpoint at seq 7)");
  }

  @Test
  void append_redeliveredEvent_checkpointInTheSameBatchStatesTheDuplicate() throws Exception {
    append(trigger("a", 0));
    StagedBatch batch = append(trigger("a", 1));

    assertThat(batch.duplicates()).containsExactly("a");
    assertThat(batch.checkpointedAt()).isPresent();
    JsonNode range = checkpointPayload(1).get("sources").get(0);
    assertThat(range.get("fromOffset").asLong()).isZero();
    assertThat(range.get("nextOffset").asLong()).isEqualTo(2);
    assertThat(range.get("duplicates").get(0).get("offset").asLong()).isEqualTo(1);
    assertThat(range.get("duplicates").get(0).get("seq").asLong()).isZero();
    assertThat(audit().sources().gaps()).isEmpty();
  }

  @Test
  void append_rolledBackBatch_accountingReturnsToTheCommittedState() throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));
    step.append(chain, List.of(trigger("d", 3), trigger("d", 4)), NOW);
    chain.rollback();

    append(trigger("d", 3), trigger("e", 4), trigger("f", 5));

    assertThat(audit().sources().gaps()).isEmpty();
    assertThat(checkpointPayload(7).get("sources").get(0).get("fromOffset").asLong()).isEqualTo(3);
  }

  @Test
  void verifyNext_rangeNotStartingWhereTheLastEnded_failsAsSourceAccountingInvalid()
      throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));
    append(trigger("d", 7), trigger("e", 8), trigger("f", 9));
    // A writer hiding its jump: the second range claims to start at 7.
    byte[] forged = reissue(7, range -> range.put("fromOffset", 7));

    assertAuditFails(forged, "starts at 7, not where the previous one ended (3)");
  }

  @Test
  void verifyNext_recordOutsideEveryRange_failsAsSourceAccountingInvalid() throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));

    byte[] forged = reissue(3, range -> range.put("nextOffset", 2));

    assertAuditFails(forged, "does not hold every offset recorded");
  }

  @Test
  void verifyNext_checkpointWithoutSourcesAfterAccountingBegan_fails() throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));
    append(trigger("d", 3), trigger("e", 4), trigger("f", 5));

    byte[] forged = reissue(7, null);

    assertAuditFails(forged, "every checkpoint from seq 3 on must");
  }

  @Test
  void verifyNext_recordAtAnOffsetAnEarlierCheckpointAccounted_fails() throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));
    LedgerVerifier auditor = audit();
    byte[] replayed = RecordBuilder.build(auditor.head(), trigger("z", 1), NOW, signer);

    assertThatThrownBy(() -> auditor.verifyNext(replayed))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ChainException.Reason.SOURCE_ACCOUNTING_INVALID);
              assertThat(e.getMessage()).contains("offset 1 of " + TRIGGERS + "/0");
            });
  }

  @Test
  void state_roundTripsThroughJson_resumingContinuesTheRanges() throws Exception {
    append(trigger("a", 0), trigger("b", 1), trigger("c", 2));
    append(trigger("d", 3));
    SourceAccounting.State kept =
        SourceAccounting.State.fromJson(
            Json.readTree(
                dev.tollgate.schemas.json.CanonicalJson.bytes(chain.sources().state().toJson())));
    SourceAccounting resumed = SourceAccounting.resuming(kept);

    assertThat(resumed.accounted().get(partition(0))).containsExactly(0, 3);
    assertThat(resumed.uncovered()).containsEntry(partition(0), 1);
    assertThat(resumed.statement().get(0).get("fromOffset").asLong()).isEqualTo(3);
  }

  private StagedBatch append(SourceEvent... events) throws Exception {
    StagedBatch batch = step.append(chain, List.of(events), NOW);
    chain.markCommitted();
    batch.records().forEach(r -> ledger.add(r.value()));
    return batch;
  }

  private JsonNode checkpointPayload(int seq) {
    ObjectNode record = Chains.tree(ledger.get(seq));
    assertThat(record.get("kind").asText()).isEqualTo("checkpoint");
    return record.get("payload");
  }

  /**
   * The checkpoint at {@code seq} signed again with its first source range changed (or without
   * sources when {@code change} is null), as a key holder could: the note and record signatures
   * verify, only the accounting lies.
   */
  private byte[] reissue(int seq, Consumer<ObjectNode> change) throws Exception {
    LedgerVerifier before = verifier();
    for (int i = 0; i < seq; i++) {
      before.verifyNext(ledger.get(i));
    }
    CheckpointIssuer issuer = new CheckpointIssuer(ORIGIN, signer);
    Checkpoint checkpoint = issuer.issue(before.tree(), seq, before.lastCheckpoint());
    ObjectNode payload = (ObjectNode) checkpoint.toPayload();
    if (change != null) {
      ArrayNode sources = (ArrayNode) checkpointPayload(seq).get("sources").deepCopy();
      change.accept((ObjectNode) sources.get(0));
      payload.set("sources", sources);
    }
    ledger.set(seq, RecordBuilder.checkpoint(before.head(), payload, NOW, signer));
    return ledger.get(seq);
  }

  private void assertAuditFails(byte[] forged, String message) {
    LedgerVerifier auditor = verifier();
    assertThatThrownBy(
            () -> {
              for (byte[] value : ledger) {
                auditor.verifyNext(value);
                if (value == forged) {
                  return;
                }
              }
            })
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ChainException.Reason.SOURCE_ACCOUNTING_INVALID);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private LedgerVerifier audit() throws ChainException {
    LedgerVerifier auditor = verifier();
    for (byte[] value : ledger) {
      auditor.verifyNext(value);
    }
    return auditor;
  }

  private LedgerVerifier verifier() {
    return LedgerVerifier.trusting(
        List.of(signer.publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());
  }

  private static SourceAccounting.Partition partition(int partition) {
    return new SourceAccounting.Partition(TRIGGERS, partition);
  }

  private static SourceEvent trigger(String id, long offset) {
    return new SourceEvent(
        LedgerRecord.Kind.TRIGGER,
        id,
        "dev.tollgate.trigger.v1",
        new LedgerRecord.SourcePosition(TRIGGERS, 0, offset),
        Chains.triggerData("github:" + id));
  }
}
