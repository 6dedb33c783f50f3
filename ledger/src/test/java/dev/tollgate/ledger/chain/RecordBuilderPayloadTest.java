package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A payload already in RFC 8785 form is taken as its own canonical form (one scan instead of a
 * second writing); any other way of writing the same JSON gives the very same record.
 */
class RecordBuilderPayloadTest {

  private static final String CANONICAL =
      "{\"a\":[1,2.5,\"x\"],\"decisionId\":\"d-1\",\"message\":\"caf\u00e9 \\\"q\\\"\","
          + "\"n\":null,\"triggerId\":\"github:1\",\"z\":{\"b\":true,\"c\":-3}}";

  private static final List<String> SAME_CONTENT =
      List.of(
          // Whitespace, members out of order, a needless escape, an exponent.
          "{ \"z\": {\"c\": -3, \"b\": true}, \"triggerId\": \"github:1\", \"n\": null,"
              + " \"message\": \"caf\\u00e9 \\\"q\\\"\", \"decisionId\": \"d-1\","
              + " \"a\": [1, 25e-1, \"\\u0078\"] }",
          "{\"triggerId\":\"github:1\",\"a\":[1,2.5,\"x\"],\"decisionId\":\"d-1\","
              + "\"message\":\"caf\u00e9 \\\"q\\\"\",\"n\":null,\"z\":{\"b\":true,\"c\":-3}}");

  private final LedgerSigner signer = TestKeys.signer();

  @Test
  void prepare_canonicalPayload_digestIsOfTheBytesAsGiven() throws Exception {
    byte[] data = CANONICAL.getBytes(StandardCharsets.UTF_8);
    assertThat(CanonicalJson.bytes(Json.readTree(data))).isEqualTo(data);
    assertThat(CanonicalScan.isPlainCanonicalObject(data)).isFalse(); // non-ASCII: the long path

    byte[] ascii = "{\"a\":1,\"b\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(CanonicalScan.isPlainCanonicalObject(ascii)).isTrue();
    assertThat(prepare(ascii).payloadDigest()).isEqualTo(Sha256.digest(ascii));
  }

  @Test
  void built_sameJsonWrittenOtherwise_givesTheCanonicalPayloadsRecordByteForByte() {
    byte[] expected = record(CANONICAL.getBytes(StandardCharsets.UTF_8));
    for (String other : SAME_CONTENT) {
      assertThat(record(other.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }
    byte[] plain =
        "{\"a\":[1,2,\"x\"],\"triggerId\":\"github:1\"}".getBytes(StandardCharsets.UTF_8);
    byte[] spaced =
        "{ \"triggerId\" : \"github:1\", \"a\" : [1, 2, \"x\"] }".getBytes(StandardCharsets.UTF_8);
    assertThat(CanonicalScan.isPlainCanonicalObject(plain)).isTrue();
    assertThat(record(spaced)).isEqualTo(record(plain));
  }

  @Test
  void built_plainCanonicalPayload_storesItsBytesAsThePayload() throws Exception {
    byte[] data =
        "{\"a\":[1,2,\"x\"],\"decisionId\":\"d-1\",\"triggerId\":\"github:1\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(CanonicalScan.isPlainCanonicalObject(data)).isTrue();
    String value = new String(record(data), StandardCharsets.UTF_8);
    assertThat(value).contains("\"payload\":" + new String(data, StandardCharsets.UTF_8) + ",");
    ChainVerifier.trusting(List.of(signer.publicKey())).verifyNext(record(data));
  }

  private static RecordBuilder.Prepared prepare(byte[] data) {
    return RecordBuilder.prepare(Chains.event(LedgerRecord.Kind.TRIGGER, "e-1", 0, data));
  }

  private byte[] record(byte[] data) {
    return RecordBuilder.build(
        ChainHead.EMPTY, prepare(data), Instant.parse("2026-12-07T20:00:00Z"), signer, null);
  }
}
