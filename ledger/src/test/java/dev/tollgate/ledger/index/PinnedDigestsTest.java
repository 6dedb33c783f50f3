package dev.tollgate.ledger.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the index takes an admitting decision to have pinned, for the run watch's check. */
class PinnedDigestsTest {

  private static final String PIPELINE =
      "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
  private static final String TASK = "sha256:" + "1".repeat(64);
  private static final String FAILED = "sha256:" + "2".repeat(64);

  @Test
  void add_admittedDecisionWithVerification_pinsTheBundleThenPassedEvidenceDigests() {
    String triggerId = Ids.githubTrigger("6f1c2e3a-0000-4000-8000-000000000001");
    ObjectNode decision = Chains.tree(Chains.decisionData(triggerId, Ids.decision(triggerId)));
    ObjectNode verification = decision.putObject("verification");
    ArrayNode checks = verification.putArray("checks");
    checks
        .addObject()
        .put("outcome", "passed")
        .putObject("evidence")
        .put("taskBundle", "registry.acme.example/tasks/build@" + TASK)
        .put("signer", "not a digest");
    checks
        .addObject()
        .put("outcome", "failed")
        .putObject("evidence")
        .put("taskBundle", "registry.acme.example/tasks/other@" + FAILED);
    LedgerIndex index = new LedgerIndex();

    index.add(0, record(triggerId, decision));

    DecisionRecord recorded = index.decision(Ids.decision(triggerId)).orElseThrow();
    assertThat(recorded.pinnedDigests()).containsExactly(PIPELINE, TASK);
  }

  @Test
  void add_deniedDecision_pinsNothing() {
    String triggerId = Ids.githubTrigger("6f1c2e3a-0000-4000-8000-000000000002");
    ObjectNode decision = Chains.tree(Chains.decisionData(triggerId, Ids.decision(triggerId)));
    decision.put("outcome", "denied");
    LedgerIndex index = new LedgerIndex();

    index.add(0, record(triggerId, decision));

    assertThat(index.decision(Ids.decision(triggerId)).orElseThrow().pinnedDigests()).isEmpty();
  }

  private static byte[] record(String triggerId, ObjectNode decision) {
    SourceEvent event =
        new SourceEvent(
            LedgerRecord.Kind.DECISION,
            Ids.decision(triggerId),
            "dev.tollgate.decision.v1",
            new LedgerRecord.SourcePosition("tollgate.decisions.v1", 0, 0),
            CanonicalJson.bytes(decision));
    return RecordBuilder.build(
        ChainHead.EMPTY, event, EventKeys.genuine(event), Instant.now(), TestKeys.signer());
  }
}
