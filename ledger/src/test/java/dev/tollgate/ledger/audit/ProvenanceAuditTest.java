package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's {@code provenance} in-process: trigger, decision, and a run that reported an image
 * digest, with a checkpoint after the first run records and the Chains-signed record after it.
 */
class ProvenanceAuditTest {

  private static final String ORIGIN = "tollgate.dev/ledger/test";
  private static final String DIGEST =
      "sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9";

  private static EmbeddedKafka kafka;
  private static TestKeys.KeyFiles keys;
  private static String ledger;
  private static List<byte[]> values;

  @BeforeAll
  static void writeLedger(@TempDir Path keyDir) {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(keyDir);
    LedgerSigner signer = keys.signer();
    String triggerId = Ids.githubTrigger(UUID.randomUUID().toString());
    String decisionId = Ids.decision(triggerId);
    String uid = UUID.randomUUID().toString();
    values =
        Chains.buildWithCheckpointAfter(
            signer,
            List.of(
                Chains.event(
                    LedgerRecord.Kind.TRIGGER, triggerId, 0, Chains.triggerData(triggerId)),
                Chains.event(
                    LedgerRecord.Kind.DECISION,
                    decisionId,
                    0,
                    Chains.decisionData(triggerId, decisionId)),
                Chains.event(
                    LedgerRecord.Kind.RUN,
                    "run:" + uid + ":started",
                    0,
                    run(uid, RunEvent.Phase.STARTED, triggerId, Map.of(), null)),
                Chains.event(
                    LedgerRecord.Kind.RUN,
                    "run:" + uid + ":succeeded",
                    1,
                    run(
                        uid,
                        RunEvent.Phase.SUCCEEDED,
                        triggerId,
                        Map.of("IMAGE_DIGEST", DIGEST),
                        null)),
                Chains.event(
                    LedgerRecord.Kind.TRIGGER,
                    "unrelated",
                    1,
                    Chains.triggerData(Ids.githubTrigger("unrelated"))),
                Chains.event(
                    LedgerRecord.Kind.RUN,
                    "run:" + uid + ":succeeded:chains-signed",
                    2,
                    run(
                        uid,
                        RunEvent.Phase.SUCCEEDED,
                        triggerId,
                        Map.of("IMAGE_DIGEST", DIGEST),
                        true))),
            5,
            ORIGIN);
    ledger = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), ledger, values);
  }

  @Test
  void provenance_imageOfAnAdmittedRun_printsRunDecisionTriggerAndFlagsTheUncheckpointed(
      @TempDir Path receipts) throws Exception {
    Run run = provenance(DIGEST, "--receipts", receipts.toString());

    assertThat(run.exitCode()).isEqualTo(AuditorCommand.OK);
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0))
        .startsWith("OK: 7 records verified; image " + DIGEST + ": 5 records")
        .contains("latest checkpoint " + ORIGIN + " size 5");
    assertThat(lines.subList(1, lines.size()))
        .extracting(l -> l.replaceAll("^(\\w+) +seq (\\d+) .*$", "$1 $2"))
        .containsExactly("run 2", "run 3", "run 6", "decision 1", "trigger 0");
    assertThat(lines.get(3)).endsWith("[not yet checkpointed]").contains("chainsSigned=true");
    assertThat(lines.get(2)).doesNotContain("not yet checkpointed").contains("succeeded");
    assertThat(Files.readAllBytes(receipts.resolve("3.entry.json"))).isEqualTo(values.get(3));
    assertThat(receipts.resolve("6.receipt")).doesNotExist();

    Run verified =
        VerifyCommandTest.run(
            "verify-receipt",
            "--receipt",
            receipts.resolve("3.receipt").toString(),
            "--entry",
            receipts.resolve("3.entry.json").toString(),
            "--public-key",
            keys.publicKey().toString());
    assertThat(verified.out()).startsWith("OK: entry 3 is included in " + ORIGIN + " at size 5");
  }

  @Test
  void provenance_unknownImage_exitsThreeNotFound() {
    Run run = provenance("sha256:" + "0".repeat(64));

    assertThat(run.exitCode()).isEqualTo(AuditorCommand.NOT_FOUND);
    assertThat(run.out()).startsWith("NOT FOUND: ");
  }

  @Test
  void provenance_notADigest_exitsTwo() {
    assertThat(provenance("latest").exitCode()).isEqualTo(AuditorCommand.USAGE);
  }

  @Test
  void provenance_tamperedLedger_exitsOneNamingTheSeq() {
    String copy =
        Topics.copyLedger(
            kafka,
            ledger,
            v -> {
              v.set(3, Topics.flipByte(v.get(3), v.get(3).length / 2));
              return v;
            });

    Run run = provenanceOf(copy, DIGEST);

    assertThat(run.exitCode()).isEqualTo(AuditorCommand.INVALID);
    assertThat(run.out()).startsWith("FAIL at seq 3: ");
  }

  private static byte[] run(
      String uid,
      RunEvent.Phase phase,
      String triggerId,
      Map<String, String> results,
      Boolean signed) {
    return CanonicalJson.bytes(
        Json.toTree(
            new RunEvent(
                uid,
                RunEvent.Kind.PIPELINE_RUN,
                "tenant-acme",
                "tg-run",
                phase,
                true,
                triggerId,
                Ids.decision(triggerId),
                results,
                signed,
                Instant.parse("2026-11-22T09:31:12Z"),
                null)));
  }

  private static Run provenance(String digest, String... more) {
    String[] args =
        new String[] {
          "provenance",
          digest,
          "--bootstrap-server",
          kafka.bootstrapServers(),
          "--topic",
          ledger,
          "--public-key",
          keys.publicKey().toString()
        };
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return VerifyCommandTest.run(all);
  }

  private static Run provenanceOf(String topic, String digest) {
    return VerifyCommandTest.run(
        "provenance",
        digest,
        "--bootstrap-server",
        kafka.bootstrapServers(),
        "--topic",
        topic,
        "--public-key",
        keys.publicKey().toString());
  }
}
