package dev.tollgate.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.signing.EventKeyRing;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerRecordsTest {

  private static final String TRIGGER = "github:0b1c2d3e-6b8e-11ef-8a8e-1e2d3c4b5a69";

  private static LedgerRecords trusting(String... publicKeys) throws Exception {
    return new LedgerRecords(
        EventKeyRing.read(
            "ledger", java.util.Arrays.stream(publicKeys).map(Fixtures::testResource).toList()));
  }

  /**
   * Known answer: record seq 1 of schemas/examples/ledger/records.jsonl (the worked example of
   * ledger-format.md), whose record hash is the {@code prev} of seq 2.
   */
  @Test
  void decision_exampleLedgersDecisionRecord_isTrustedWithItsSeqAndRecordHash() throws Exception {
    byte[] value = Files.readAllBytes(Fixtures.testResource("ledger/example-decision-seq1.json"));

    LedgerRecords.Decision decision =
        trusting("ledger/example-ledger.pub.pem").decision(value).orElseThrow();

    assertThat(decision.triggerId()).isEqualTo("github:0a1b2c3d-4e5f-11ef-9a0b-0c1d2e3f4a5b");
    assertThat(decision.entry())
        .isEqualTo(
            new LedgerEntry(
                1, "sha256:956427a469f70408b50080d11f2216fe736f5b0854819ec09a600685a7170654"));
  }

  @Test
  void decision_signedByTheLedgerKey_isTrusted() throws Exception {
    byte[] value = LedgerRecordFixtures.signedDecision(12, TRIGGER);

    assertThat(
            trusting(Fixtures.OTHER_PUBLIC_KEY, LedgerRecordFixtures.LEDGER_PUBLIC_KEY)
                .decision(value))
        .hasValueSatisfying(d -> assertThat(d.entry().seq()).isEqualTo(12));
  }

  @Test
  void decision_signedByAnotherKeyNamingItself_isRefusedAsUnknownKey() throws Exception {
    ObjectNode forged =
        LedgerRecordFixtures.decision(
            999, TRIGGER, LedgerRecordFixtures.key("signing/other-events.pem").keyId());
    byte[] value = LedgerRecordFixtures.signed(forged, "signing/other-events.pem");

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () -> trusting(LedgerRecordFixtures.LEDGER_PUBLIC_KEY).decision(value));

    assertThat(refused.reason()).isEqualTo(LedgerRecords.UNKNOWN_KEY);
  }

  @Test
  void decision_signedByAnotherKeyNamingTheLedgersKeyId_isRefusedAsInvalid() throws Exception {
    ObjectNode forged =
        LedgerRecordFixtures.decision(
            999, TRIGGER, LedgerRecordFixtures.key(LedgerRecordFixtures.LEDGER_KEY).keyId());
    byte[] value = LedgerRecordFixtures.signed(forged, "signing/other-events.pem");

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () -> trusting(LedgerRecordFixtures.LEDGER_PUBLIC_KEY).decision(value));

    assertThat(refused.reason()).isEqualTo(LedgerRecords.INVALID);
  }

  @Test
  void decision_seqAlteredAfterSigning_isRefusedAsInvalid() throws Exception {
    ObjectNode record =
        (ObjectNode) Json.readTree(LedgerRecordFixtures.signedDecision(12, TRIGGER));
    record.put("seq", 13);

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () ->
                trusting(LedgerRecordFixtures.LEDGER_PUBLIC_KEY)
                    .decision(CanonicalJson.bytes(record)));

    assertThat(refused.reason()).isEqualTo(LedgerRecords.INVALID);
  }

  @Test
  void decision_unsigned_isRefusedAsUnsigned() throws Exception {
    ObjectNode unsigned =
        LedgerRecordFixtures.decision(
            12, TRIGGER, LedgerRecordFixtures.key(LedgerRecordFixtures.LEDGER_KEY).keyId());

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () ->
                trusting(LedgerRecordFixtures.LEDGER_PUBLIC_KEY)
                    .decision(CanonicalJson.bytes(unsigned)));

    assertThat(refused.reason()).isEqualTo(LedgerRecords.UNSIGNED);
  }

  @Test
  void decision_notCanonicalOrNotJson_isRefusedAsMalformed() throws Exception {
    byte[] signed = LedgerRecordFixtures.signedDecision(12, TRIGGER);
    byte[] pretty =
        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(Json.readTree(signed));
    LedgerRecords records = trusting(LedgerRecordFixtures.LEDGER_PUBLIC_KEY);

    for (byte[] value :
        List.of(
            pretty, "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[0])) {
      RefusedException refused =
          catchThrowableOfType(RefusedException.class, () -> records.decision(value));
      assertThat(refused.reason()).isEqualTo(LedgerRecords.MALFORMED);
    }
  }

  @Test
  void decision_trustedRecordOfAnotherKind_isNoDecision() throws Exception {
    ObjectNode trigger =
        LedgerRecordFixtures.decision(
            3, TRIGGER, LedgerRecordFixtures.key(LedgerRecordFixtures.LEDGER_KEY).keyId());
    trigger.put("kind", "trigger");

    assertThat(
            trusting(LedgerRecordFixtures.LEDGER_PUBLIC_KEY)
                .decision(LedgerRecordFixtures.signed(trigger, LedgerRecordFixtures.LEDGER_KEY)))
        .isEmpty();
  }
}
