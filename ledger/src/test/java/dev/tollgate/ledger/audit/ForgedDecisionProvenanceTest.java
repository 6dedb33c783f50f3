package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tried as an attacker with broker access would (issue 15): an {@code admitted} decision signed by
 * a key of their own, for a genuine trigger, and a garbage value on the ledger topic. {@code
 * provenance} leaves the forged decision out of the chain and says why, and lists the garbage as
 * injected.
 */
class ForgedDecisionProvenanceTest {

  private static final String DIGEST = "sha256:" + "cd".repeat(32);
  private static final Instant TIME = Instant.parse("2026-12-01T00:00:00Z");

  private static TestKeys.KeyFiles keys;
  private static String ledger;

  @BeforeAll
  static void writeLedger(@TempDir Path keyDir) throws Exception {
    keys = TestKeys.generate(keyDir);
    LedgerSigner signer = keys.signer();
    SourceEvent trigger =
        EventKeys.signed(
            Chains.event(
                LedgerRecord.Kind.TRIGGER, "github:t-1", 0, Chains.triggerData("github:t-1")),
            EventKeys.gateway());
    SourceEvent forgedDecision =
        EventKeys.signed(
            Chains.event(
                LedgerRecord.Kind.DECISION, "d-1", 0, Chains.decisionData("github:t-1", "d-1")),
            EventKeys.forger());
    SourceEvent run =
        EventKeys.signed(
            Chains.event(LedgerRecord.Kind.RUN, "run:uid-1:succeeded", 0, runData()),
            EventKeys.runWatch());
    List<byte[]> topic = new ArrayList<>();
    ChainHead head = ChainHead.EMPTY;
    for (SourceEvent event : List.of(trigger, forgedDecision, run)) {
      byte[] value =
          RecordBuilder.build(head, event, EventKeys.trust().authenticate(event), TIME, signer);
      topic.add(value);
      head = head.append(LedgerRecord.recordHash(Chains.tree(value)));
      if (topic.size() == 2) {
        topic.add("{\"garbage\":true}".getBytes(StandardCharsets.UTF_8));
      }
    }
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(SharedKafka.get().bootstrapServers(), ledger, topic);
  }

  @Test
  void provenance_runNamingAForgedAdmittedDecision_leavesItOutSaysWhyAndListsTheInjected() {
    Run run =
        VerifyCommandTest.run(
            "provenance",
            DIGEST,
            "--bootstrap-server",
            SharedKafka.get().bootstrapServers(),
            "--topic",
            ledger,
            "--public-key",
            keys.publicKey().toString());

    assertThat(run.exitCode()).isEqualTo(AuditorCommand.OK);
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0))
        .startsWith("OK: 3 records verified; image " + DIGEST + ": 2 records")
        .contains("1 records ignored: their events did not verify under their signer's keys")
        .contains("1 injected values skipped");
    assertThat(lines.get(1)).startsWith("run      seq 2 ");
    assertThat(lines.get(2)).startsWith("trigger  seq 0 ");
    assertThat(lines.get(3))
        .startsWith("ignored  seq 1 ")
        .contains("d-1 admitted")
        .contains("[unauthenticated unknown-key: signed by key " + EventKeys.forger().keyId());
    assertThat(lines.get(4))
        .isEqualTo("INJECTED at offset 2: NOT_A_RECORD: carries no ledger key id and signature");
    assertThat(lines).hasSize(5);
  }

  private static byte[] runData() throws Exception {
    ObjectNode run =
        (ObjectNode) Json.readTree(Files.readAllBytes(Chains.example("run.succeeded.json")));
    run.put("runUid", "uid-1").put("decisionId", "d-1").put("triggerId", "github:t-1");
    ((ObjectNode) run.get("results")).put("IMAGE_DIGEST", DIGEST);
    return CanonicalJson.bytes(run);
  }
}
