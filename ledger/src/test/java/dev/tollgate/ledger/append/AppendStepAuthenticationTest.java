package dev.tollgate.ledger.append;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.index.Provenance;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The append step states in each record what checking the event's signature found, and records
 * every event (verified or not, garbage included) as evidence; the index and provenance then count
 * only what verified: a forged {@code admitted} decision never makes a run admitted.
 */
class AppendStepAuthenticationTest {

  private static final String ORIGIN = "tollgate.dev/ledger/test";

  /** The clock's time, also the last checkpoint's: no checkpoint is due in these batches. */
  private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  private final LedgerSigner signer = TestKeys.signer();
  private final AppendStep step =
      new AppendStep(
          signer,
          signer,
          List.of(),
          new CheckpointPolicy(ORIGIN, 1000, Duration.ofHours(1)),
          EventKeys.trust(),
          Clock.fixed(NOW, ZoneOffset.UTC));
  private final LedgerVerifier chain =
      LedgerVerifier.trusting(
          List.of(signer.publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());

  @Test
  void append_verifiedUnsignedForgedAndGarbageEvents_recordsEachWithItsFlag() throws Exception {
    SourceEvent genuine = EventKeys.signed(Chains.trigger("t-genuine", 0), EventKeys.gateway());
    SourceEvent unsigned = EventKeys.unsigned(Chains.trigger("t-unsigned", 1));
    SourceEvent forged =
        EventKeys.signed(
            Chains.event(
                LedgerRecord.Kind.DECISION, "d-forged", 0, Chains.decisionData("t-1", "d-forged")),
            EventKeys.forger());
    SourceEvent garbage =
        Chains.event(
            LedgerRecord.Kind.DECISION,
            SourceEvent.positionId("tollgate.decisions.v1", 0, 1),
            1,
            new byte[] {0, (byte) 0xff, 'x'});

    StagedBatch batch = step.append(chain, List.of(genuine, unsigned, forged, garbage), NOW);

    assertThat(batch.appended()).isEqualTo(4);
    assertThat(batch.unauthenticated()).isEqualTo(3);
    List<JsonNode> records =
        batch.records().stream().map(r -> (JsonNode) Chains.tree(r.value())).toList();
    assertThat(records)
        .extracting(r -> r.path("authentication").path("result").asText())
        .containsExactly("verified", "unsigned", "unknown-key", "unsigned");
    assertThat(records.get(0).path("authentication").path("keyId").asText())
        .isEqualTo(EventKeys.gateway().keyId());
    assertThat(records.get(2).path("authentication").path("keyId").asText())
        .isEqualTo(EventKeys.forger().keyId());
    assertThat(records.get(3).path("payloadEncoding").asText()).isEqualTo("base64");
    // The ledger vouches for the statement: it is inside the signed record, which verifies.
    ChainVerifier auditor = ChainVerifier.trusting(List.of(signer.publicKey()));
    for (StagedRecord record : batch.records()) {
      auditor.verifyNext(record.value());
    }
    for (JsonNode record : records) {
      LedgerRecord parsed =
          dev.tollgate.schemas.json.Json.mapper().treeToValue(record, LedgerRecord.class);
      assertThat(parsed.authenticated())
          .isEqualTo(record.path("eventId").asText().equals("t-genuine"));
    }
  }

  @Test
  void index_forgedAdmittedDecision_neverAdmits() throws Exception {
    SourceEvent forged =
        EventKeys.signed(
            Chains.event(LedgerRecord.Kind.DECISION, "d-1", 0, Chains.decisionData("t-1", "d-1")),
            EventKeys.forger());

    LedgerIndex index = index(step.append(chain, List.of(forged), NOW));

    assertThat(Chains.tree(Chains.decisionData("t-1", "d-1")).path("outcome").asText())
        .isEqualTo("admitted");
    assertThat(index.decision("d-1")).isEmpty();
    assertThat(index.record(0).orElseThrow().authenticated()).isFalse();
  }

  @Test
  void index_genuineAdmittedDecision_admits() throws Exception {
    SourceEvent genuine =
        EventKeys.signed(
            Chains.event(LedgerRecord.Kind.DECISION, "d-1", 0, Chains.decisionData("t-1", "d-1")),
            EventKeys.verifier());

    LedgerIndex index = index(step.append(chain, List.of(genuine), NOW));

    assertThat(index.decision("d-1")).hasValueSatisfying(d -> assertThat(d.admitted()).isTrue());
  }

  @Test
  void trace_runLinkingAForgedDecision_leavesTheDecisionOutAndReportsIt() throws Exception {
    SourceEvent trigger = EventKeys.signed(Chains.trigger("t-1", 0), EventKeys.gateway());
    SourceEvent forgedDecision =
        EventKeys.signed(
            Chains.event(
                LedgerRecord.Kind.DECISION, "d-1", 0, Chains.decisionData("github:t-1", "d-1")),
            EventKeys.forger());
    SourceEvent run =
        EventKeys.signed(
            Chains.event(LedgerRecord.Kind.RUN, "run-1", 0, runData("uid-1", "d-1", "github:t-1")),
            EventKeys.runWatch());
    SourceEvent forgedRun =
        EventKeys.unsigned(
            Chains.event(LedgerRecord.Kind.RUN, "run-2", 1, runData("uid-2", "d-2", "t-2")));

    LedgerIndex index =
        index(step.append(chain, List.of(trigger, forgedDecision, run, forgedRun), NOW));
    Provenance.Trace trace = Provenance.trace(index, DIGEST, 4);

    assertThat(trace.chain())
        .extracting(l -> l.role().wire() + "@" + l.record().seq())
        .containsExactly("run@2", "trigger@0");
    assertThat(trace.ignored()).extracting(r -> r.seq()).containsExactly(1L, 3L);
    assertThat(Provenance.of(index, DIGEST, 4)).isEqualTo(trace.chain());
  }

  private LedgerIndex index(StagedBatch batch) {
    LedgerIndex index = new LedgerIndex();
    batch.records().forEach(r -> index.add(r.seq(), r.value()));
    return index;
  }

  /** The run example, as the run watch reports it, for this run uid, decision and trigger. */
  private static byte[] runData(String runUid, String decisionId, String triggerId)
      throws Exception {
    ObjectNode run =
        (ObjectNode)
            dev.tollgate.schemas.json.Json.readTree(
                Files.readAllBytes(Chains.example("run.succeeded.json")));
    run.put("runUid", runUid).put("decisionId", decisionId).put("triggerId", triggerId);
    ((ObjectNode) run.get("results")).put("IMAGE_DIGEST", DIGEST);
    return CanonicalJson.bytes(run);
  }
}
