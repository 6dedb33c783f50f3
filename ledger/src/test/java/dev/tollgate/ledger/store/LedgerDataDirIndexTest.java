package dev.tollgate.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.index.DecisionRecord;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index the writer rebuilds from its data directory after a restart answers the run watch as
 * the one built from the records did: an authenticated admitting decision still admits its run,
 * with every digest it pinned.
 */
class LedgerDataDirIndexTest {

  private static final String LEDGER = "tollgate.ledger.v1";
  private static final String PIPELINE =
      "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
  private static final String TASK = "sha256:" + "1".repeat(64);

  @TempDir Path directory;

  @Test
  void load_afterCommit_authenticatedDecisionStillAdmitsWithEveryPinnedDigest() throws Exception {
    LedgerSigner signer = TestKeys.signer();
    String triggerId = Ids.githubTrigger("6f1c2e3a-0000-4000-8000-0000000000aa");
    String decisionId = Ids.decision(triggerId);
    ObjectNode decision = Chains.tree(Chains.decisionData(triggerId, decisionId));
    decision
        .putObject("verification")
        .putArray("checks")
        .addObject()
        .put("outcome", "passed")
        .putObject("evidence")
        .put("taskBundle", "registry.acme.example/tasks/build@" + TASK);
    SourceEvent event =
        new SourceEvent(
            LedgerRecord.Kind.DECISION,
            decisionId,
            "dev.tollgate.decision.v1",
            new LedgerRecord.SourcePosition("tollgate.decisions.v1", 0, 0),
            CanonicalJson.bytes(decision));
    byte[] value =
        RecordBuilder.build(
            ChainHead.EMPTY,
            event,
            EventKeys.genuine(event),
            Instant.parse("2026-12-07T10:00:00Z"),
            signer);
    ChainHead head = ChainHead.EMPTY.append(LedgerRecord.recordHash(Chains.tree(value)));
    String namespace = decision.path("pipelineRun").path("namespace").asText();
    String name = decision.path("pipelineRun").path("name").asText();

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      dataDir.tree().append(value);
      dataDir.add(0, 0, value);
      dataDir.commit(
          head,
          List.of(signer.publicKey()),
          Optional.empty(),
          Optional.empty(),
          0,
          SourceAccounting.State.empty());
    }
    StoredLedger stored;
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      stored = dataDir.load().orElseThrow();
    }

    DecisionRecord admitting =
        stored.index().admitting(decisionId, triggerId, namespace, name).orElseThrow();
    assertThat(admitting.pinnedDigests()).containsExactly(PIPELINE, TASK);
  }
}
