package dev.tollgate.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.ledger.audit.VerifyCommandTest.Run;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.privacy.PayloadSealer;
import dev.tollgate.ledger.privacy.SealedStore;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.SharedKafka;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's {@code sealed} and {@code erase} on a ledger whose triggers' webhook bodies are
 * sealed: every part present and matching, then one event erased (the ledger still verifies, the
 * part shows as erased), then a store entry swapped for another's (a mismatch, exit 1).
 */
class SealedAuditTest {

  @TempDir Path tmp;

  private EmbeddedKafka kafka;
  private TestKeys.KeyFiles keys;
  private String topic;
  private Path store;

  @BeforeEach
  void writeSealedLedger() {
    kafka = SharedKafka.get();
    keys = TestKeys.generate(tmp);
    store = tmp.resolve("sealed");
    PayloadSealer sealer =
        PayloadSealer.of(List.of("trigger:/payload"), new SealedStore(store), new SecureRandom());
    LedgerSigner signer = keys.signer();
    List<byte[]> values = new ArrayList<>();
    ChainHead head = ChainHead.EMPTY;
    for (int i = 0; i < 3; i++) {
      SourceEvent event = Chains.trigger("sealed-" + i, i);
      byte[] value =
          RecordBuilder.build(
              head,
              sealer.seal(RecordBuilder.prepare(event)),
              EventKeys.genuine(event),
              Instant.parse("2026-11-22T09:20:41Z").plusSeconds(i),
              signer,
              null);
      values.add(value);
      head = head.append(LedgerRecord.recordHash(Chains.tree(value)));
    }
    topic = SharedKafka.newTopic(EventType.LEDGER_RECORD);
    Topics.writeValues(kafka.bootstrapServers(), topic, values);
  }

  private Run sealed() {
    return VerifyCommandTest.run(
        "sealed",
        "--bootstrap-server",
        kafka.bootstrapServers(),
        "--topic",
        topic,
        "--public-key",
        keys.publicKey().toString(),
        "--sealed-store",
        store.toString());
  }

  @Test
  void sealed_everyPartKept_presentAndMatching() {
    Run run = sealed();

    assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
    assertThat(run.out())
        .contains("present  seq 0 sealed-0 /payload sha256:")
        .contains(
            "3 records verified; sealed parts: 3 present and matching, 0 erased, 0 mismatching");
  }

  @Test
  void erase_oneEvent_ledgerStillVerifiesAndThePartShowsErased() {
    Run erase =
        VerifyCommandTest.run(
            "erase", "--sealed-store", store.toString(), "--event-id", "sealed-1");

    assertThat(erase.exitCode()).as(erase.err()).isEqualTo(0);
    assertThat(erase.out()).contains("erased sha256:").contains("of sealed-1");
    Run run = sealed();
    assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
    assertThat(run.out())
        .contains("erased   seq 1 sealed-1 /payload")
        .contains("sealed parts: 2 present and matching, 1 erased, 0 mismatching");
    Run verify =
        VerifyCommandTest.run(
            "verify",
            "--bootstrap-server",
            kafka.bootstrapServers(),
            "--topic",
            topic,
            "--public-key",
            keys.publicKey().toString(),
            "--quiet");
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(0);
  }

  @Test
  void erase_unknownEvent_notFound() {
    Run erase =
        VerifyCommandTest.run(
            "erase", "--sealed-store", store.toString(), "--event-id", "github:never");

    assertThat(erase.exitCode()).isEqualTo(3);
    assertThat(erase.out()).contains("no sealed part of github:never");
  }

  @Test
  void sealed_storeEntrySwappedForAnothersContent_mismatchExit1() throws Exception {
    List<Path> files;
    try (var listing = Files.list(store)) {
      files = listing.sorted().toList();
    }
    // One entry's file now holds another entry: named commitment and content disagree.
    Files.copy(files.get(0), files.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    Run run = sealed();

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("MISMATCH seq").contains("1 mismatching");
  }
}
