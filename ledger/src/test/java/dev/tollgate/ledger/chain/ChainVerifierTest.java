package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Chains built in memory, verified, and tampered with one way at a time. */
class ChainVerifierTest {

  private static LedgerSigner signer;
  private static LedgerSigner otherSigner;
  private static List<byte[]> chain;

  @BeforeAll
  static void buildChain() {
    signer = TestKeys.signer();
    otherSigner = TestKeys.signer();
    chain = Chains.build(signer, 5);
  }

  @Test
  void verifyNext_untouchedChain_acceptsEveryRecordInOrder() throws Exception {
    ChainVerifier verifier = verifier();
    String prev = LedgerRecord.GENESIS_PREV;
    for (int seq = 0; seq < chain.size(); seq++) {
      ChainEntry entry = verifier.verifyNext(chain.get(seq));
      LedgerRecord record = Json.read(chain.get(seq), LedgerRecord.class);
      assertThat(entry.seq()).isEqualTo(seq);
      assertThat(record.prev()).isEqualTo(prev);
      assertThat(record.keyId()).isEqualTo(signer.publicKey().keyId());
      assertThat(entry.hash()).isEqualTo(Sha256.digest(chain.get(seq)));
      prev = entry.hash();
    }
    assertThat(verifier.head()).isEqualTo(new ChainHead(5, prev));
    assertThat(verifier.recorded("event-3")).isTrue();
    assertThat(verifier.recorded("event-5")).isFalse();
  }

  @Test
  void verifyNext_flippedByteInStoredRecord_failsAtThatSeq() {
    List<byte[]> tampered = new ArrayList<>(chain);
    byte[] record = tampered.get(2);
    int index = new String(record, StandardCharsets.UTF_8).indexOf("acme/payments");
    tampered.set(2, Topics.flipByte(record, index));

    assertFailsAt(tampered, 2, Reason.BAD_SIGNATURE);
  }

  @Test
  void verifyNext_flippedByteThatBreaksTheJson_failsAtThatSeq() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(3, Topics.flipByte(tampered.get(3), 0));

    assertFailsAt(tampered, 3, Reason.NOT_JSON);
  }

  @Test
  void verifyNext_missingRecord_failsAtTheMissingSeq() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.remove(2);

    ChainException failure = assertFailsAt(tampered, 2, Reason.SEQ_MISMATCH);
    assertThat(failure).hasMessage("expected seq 2, found 3");
  }

  @Test
  void verifyNext_reorderedRecords_failsAtTheFirstOutOfPlace() {
    List<byte[]> tampered = new ArrayList<>(chain);
    Collections.swap(tampered, 1, 2);

    assertFailsAt(tampered, 1, Reason.SEQ_MISMATCH);
  }

  @Test
  void verifyNext_duplicatedRecord_failsAtTheRepeat() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.add(3, tampered.get(2));

    ChainException failure = assertFailsAt(tampered, 3, Reason.SEQ_MISMATCH);
    assertThat(failure).hasMessage("expected seq 3, found 2");
  }

  @Test
  void verifyNext_eventIdRecordedTwice_failsAtTheSecondRecord() {
    List<byte[]> duplicated =
        Chains.build(
            signer,
            List.of(
                Chains.trigger("a", 0),
                Chains.trigger("b", 1),
                Chains.trigger("a", 2),
                Chains.trigger("c", 3)));

    assertFailsAt(duplicated, 2, Reason.DUPLICATE_EVENT);
  }

  @Test
  void verifyNext_signedByUntrustedKey_failsWithUnknownKey() {
    List<byte[]> foreign = Chains.build(otherSigner, 2);

    ChainException failure = assertFailsAt(foreign, 0, Reason.UNKNOWN_KEY);
    assertThat(failure).hasMessageContaining(otherSigner.publicKey().keyId());
  }

  @Test
  void verifyNext_trustedKeyIdButOtherKeysSignature_failsWithBadSignature() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(1, Chains.resign(tampered.get(1), otherSigner, tree -> {}));

    assertFailsAt(tampered, 1, Reason.BAD_SIGNATURE);
  }

  @Test
  void verifyNext_payloadChangedAndResignedWithDigestUnchanged_failsWithDigestMismatch() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(
        4,
        Chains.resign(
            tampered.get(4),
            signer,
            tree -> tree.set("payload", TextNode.valueOf("not what the event said"))));

    assertFailsAt(tampered, 4, Reason.PAYLOAD_DIGEST_MISMATCH);
  }

  @Test
  void verifyNext_payloadChangedWithoutResigning_failsWithBadSignature() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(4, Chains.edit(tampered.get(4), tree -> tree.put("payload", 42)));

    assertFailsAt(tampered, 4, Reason.BAD_SIGNATURE);
  }

  @Test
  void verifyNext_prevNotTheHashBefore_failsWithPrevMismatch() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(
        2,
        Chains.resign(
            tampered.get(2), signer, tree -> tree.put("prev", Sha256.digest(new byte[0]))));

    assertFailsAt(tampered, 2, Reason.PREV_MISMATCH);
  }

  @Test
  void verifyNext_unknownMemberEvenWhenSigned_failsAsInvalidRecord() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(1, Chains.resign(tampered.get(1), signer, tree -> tree.put("note", "hidden")));

    ChainException failure = assertFailsAt(tampered, 1, Reason.INVALID_RECORD);
    assertThat(failure).hasMessageContaining("'note'");
  }

  @Test
  void verifyNext_seqAsStringEvenWhenSigned_failsAsInvalidRecord() {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(0, Chains.resign(tampered.get(0), signer, tree -> tree.put("seq", "0")));

    assertFailsAt(tampered, 0, Reason.INVALID_RECORD);
  }

  @Test
  void verifyNext_valueNotCanonical_failsWithNotCanonical() throws Exception {
    List<byte[]> tampered = new ArrayList<>(chain);
    tampered.set(
        0,
        Json.mapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsBytes(Chains.tree(tampered.get(0))));

    assertFailsAt(tampered, 0, Reason.NOT_CANONICAL);
  }

  @Test
  void build_dataNotJson_recordsBase64WithDigestOverTheRawBytes() throws Exception {
    byte[] data = {(byte) 0xff, 0x00, 'x'};
    SourceEvent event =
        new SourceEvent(
            LedgerRecord.Kind.REJECTION,
            "tollgate.rejections.v1-1@7",
            null,
            new LedgerRecord.SourcePosition("tollgate.rejections.v1", 1, 7),
            data);
    byte[] value = Chains.build(signer, List.of(event)).get(0);

    verifier().verifyNext(value);
    LedgerRecord record = Json.read(value, LedgerRecord.class);
    assertThat(record.payloadEncoding()).isEqualTo(LedgerRecord.PayloadEncoding.BASE64);
    assertThat(Base64.getDecoder().decode(record.payload().asText())).isEqualTo(data);
    assertThat(record.payloadDigest()).isEqualTo(Sha256.digest(data));
    assertThat(record.eventType()).isNull();
  }

  @Test
  void build_scalarJsonData_recordsJsonWithDigestOfItsCanonicalForm() throws Exception {
    byte[] data = "  \"a string\" ".getBytes(StandardCharsets.UTF_8);
    SourceEvent event =
        new SourceEvent(
            LedgerRecord.Kind.RUN,
            "run-1",
            "dev.tollgate.run.v1",
            new LedgerRecord.SourcePosition("tollgate.runs.v1", 0, 3),
            data);
    byte[] value = Chains.build(signer, List.of(event)).get(0);

    verifier().verifyNext(value);
    LedgerRecord record = Json.read(value, LedgerRecord.class);
    assertThat(record.payloadEncoding()).isEqualTo(LedgerRecord.PayloadEncoding.JSON);
    assertThat(record.payload().asText()).isEqualTo("a string");
    assertThat(record.payloadDigest())
        .isEqualTo(Sha256.digest("\"a string\"".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void build_decisionData_linksTriggerAndDecisionAndDigestsCanonicalPayload() throws Exception {
    byte[] data = Chains.decisionData("github:abc", "dec-0123456789abcdef0123456789abcdef");
    SourceEvent event =
        new SourceEvent(
            LedgerRecord.Kind.DECISION,
            "dec-0123456789abcdef0123456789abcdef",
            "dev.tollgate.decision.v1",
            new LedgerRecord.SourcePosition("tollgate.decisions.v1", 2, 9),
            data);
    byte[] value = Chains.build(signer, List.of(event)).get(0);

    verifier().verifyNext(value);
    LedgerRecord record = Json.read(value, LedgerRecord.class);
    assertThat(value).isEqualTo(CanonicalJson.bytes(Json.readTree(value)));
    assertThat(record.links().triggerId()).isEqualTo("github:abc");
    assertThat(record.links().decisionId()).isEqualTo("dec-0123456789abcdef0123456789abcdef");
    assertThat(record.payload()).isEqualTo(Json.readTree(data));
    assertThat(record.payloadDigest()).isEqualTo(Sha256.digest(data));
    assertThat(record.source()).isEqualTo(event.source());
  }

  @Test
  void rollback_afterUncommittedRecords_returnsToTheCommittedHeadAndForgetsTheirEvents()
      throws Exception {
    ChainVerifier verifier = verifier();
    verifier.verifyNext(chain.get(0));
    verifier.markCommitted();
    ChainHead committed = verifier.head();
    verifier.verifyNext(chain.get(1));
    verifier.verifyNext(chain.get(2));

    verifier.rollback();

    assertThat(verifier.head()).isEqualTo(committed);
    assertThat(verifier.recorded("event-0")).isTrue();
    assertThat(verifier.recorded("event-1")).isFalse();
    assertThat(verifier.verifyNext(chain.get(1)).seq()).isEqualTo(1);
  }

  @Test
  void verifyNext_afterAFailure_leavesTheChainAsItWas() throws Exception {
    ChainVerifier verifier = verifier();
    verifier.verifyNext(chain.get(0));
    ChainHead before = verifier.head();

    assertThatThrownBy(() -> verifier.verifyNext(chain.get(2))).isInstanceOf(ChainException.class);

    assertThat(verifier.head()).isEqualTo(before);
    assertThat(verifier.verifyNext(chain.get(1)).seq()).isEqualTo(1);
  }

  private static ChainVerifier verifier() {
    return ChainVerifier.trusting(List.of(signer.publicKey()));
  }

  private static ChainException assertFailsAt(List<byte[]> values, long seq, Reason reason) {
    ChainVerifier verifier = verifier();
    ChainException[] failure = new ChainException[1];
    ThrowingCallable verifyAll =
        () -> {
          for (byte[] value : values) {
            verifier.verifyNext(value);
          }
        };
    assertThatThrownBy(verifyAll)
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.seq()).as("first bad seq").isEqualTo(seq);
              assertThat(e.reason()).isEqualTo(reason);
              failure[0] = e;
            });
    return failure[0];
  }
}
