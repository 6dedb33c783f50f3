package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** What the auditor's checkpoint pass takes from one stored value without serialising it again. */
class ParsedRecordTest {

  private static final LedgerSigner SIGNER = TestKeys.signer();
  private static final Instant TIME = Instant.parse("2026-03-01T12:00:00Z");

  /** A payload whose nested members are named like the record's own (payload, signature). */
  private static byte[] trickyRecord() {
    byte[] data =
        ("{\"payload\":{\"signature\":\"x\\\"y\",\"list\":[{\"payload\":1}]},"
                + "\"signature\":\"\\\\\",\"text\":\"\u00e9 } ] , {\"}")
            .getBytes(StandardCharsets.UTF_8);
    SourceEvent event = Chains.event(LedgerRecord.Kind.TRIGGER, "event-0", 0, data);
    return RecordBuilder.build(ChainHead.EMPTY, event, TIME, SIGNER);
  }

  @Test
  void parse_recordWithLookalikeMembersInItsPayload_slicesTheTopLevelMembers() {
    byte[] value = trickyRecord();
    JsonNode tree = Chains.tree(value);

    ParsedRecord parsed = ParsedRecord.parse(value);

    assertThat(parsed.problem()).isNull();
    assertThat(parsed.signedBytes()).isEqualTo(LedgerRecord.signedBytes(tree));
    assertThat(parsed.payloadDigest())
        .isEqualTo(Sha256.digest(CanonicalJson.bytes(tree.get("payload"))))
        .isEqualTo(tree.get("payloadDigest").asText());
    assertThat(parsed.hash()).isEqualTo(LedgerRecord.recordHash(tree));
    assertThat(parsed.leafHash()).isEqualTo(MerkleHash.leaf(value));
    assertThat(SIGNER.publicKey().verifies(parsed.signedBytes(), parsed.signature())).isTrue();
  }

  @Test
  void parse_plainRecord_givesWhatReadingItsWholeTreeGives() {
    byte[] value = trickyRecord();
    byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
    byte[] signature = "signature".getBytes(StandardCharsets.UTF_8);

    ParsedRecord plain = ParsedRecord.parse(value);
    ParsedRecord whole = ParsedRecord.parseTree(value);

    assertThat(CanonicalScan.topLevelSpans(value, payload, signature))
        .containsExactly(
            ParsedRecord.memberValues(
                value,
                "\"payload\":".getBytes(StandardCharsets.UTF_8),
                "\"signature\":".getBytes(StandardCharsets.UTF_8)));
    assertThat(plain.signedBytes()).isEqualTo(whole.signedBytes());
    assertThat(plain.payloadDigest()).isEqualTo(whole.payloadDigest());
    assertThat(plain.hash()).isEqualTo(whole.hash());
    assertThat(plain.leafHash()).isEqualTo(whole.leafHash());
    assertThat(plain.seq()).isEqualTo(whole.seq());
    assertThat(plain.keyId()).isEqualTo(whole.keyId());
    assertThat(plain.record().eventId()).isEqualTo(whole.record().eventId());
    assertThat(plain.record().source()).isEqualTo(whole.record().source());
  }

  @Test
  void parse_checkpointAndChainRecords_cutTheSameSignedBytesAsTheTree() {
    for (byte[] value : Chains.buildWithCheckpoints(SIGNER, 4, 2, "audit.tollgate.dev/ledger")) {
      ParsedRecord parsed = ParsedRecord.parse(value);

      assertThat(parsed.problem()).isNull();
      assertThat(parsed.signedBytes()).isEqualTo(LedgerRecord.signedBytes(Chains.tree(value)));
      assertThat(parsed.signedPart().verifiesWith(SIGNER.publicKey())).isTrue();
    }
  }

  @Test
  void parse_nonCanonicalBase64Signature_isAnInvalidRecord() {
    byte[] value =
        Chains.edit(
            trickyRecord(),
            t -> {
              String signature = t.get(LedgerRecord.SIGNATURE_FIELD).asText();
              byte[] raw = Base64.getDecoder().decode(signature);
              String canonical = Base64.getEncoder().encodeToString(raw);
              // The last data character carries 2 bits and 4 unused ones; set one unused bit.
              char last = canonical.charAt(85);
              char other = last == 'A' ? 'B' : last == 'Q' ? 'R' : last == 'g' ? 'h' : 'x';
              t.put(
                  LedgerRecord.SIGNATURE_FIELD,
                  canonical.substring(0, 85) + other + canonical.substring(86));
            });

    ParsedRecord parsed = ParsedRecord.parse(value);

    assertThat(parsed.problem()).isEqualTo(ChainException.Reason.INVALID_RECORD);
  }

  @Test
  void parse_nonCanonicalValue_isRefusedBeforeAnythingIsSliced() {
    byte[] value = trickyRecord();
    byte[] spaced = new byte[value.length + 1];
    spaced[0] = '{';
    spaced[1] = ' ';
    System.arraycopy(value, 1, spaced, 2, value.length - 1);

    assertThat(ParsedRecord.parse(spaced).problem()).isEqualTo(ChainException.Reason.NOT_CANONICAL);
    assertThat(ParsedRecord.parse("[".getBytes(StandardCharsets.UTF_8)).problem())
        .isEqualTo(ChainException.Reason.NOT_JSON);
  }
}
