package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * schemas/examples/ledger-record.decision.json was signed with openssl (Ed25519) independently of
 * this code; accepting it shows our signed bytes, hashes and key ids are the documented ones.
 */
class ExampleRecordTest {

  private LedgerPublicKey key;
  private byte[] value;
  private ChainHead before;

  @BeforeEach
  void readExample() throws Exception {
    key = LedgerPublicKey.read(Chains.example("ledger-record.decision.pub.pem"));
    // The example is pretty-printed for readers; on the topic a record is its canonical form.
    value =
        CanonicalJson.bytes(
            Json.readTree(Files.readAllBytes(Chains.example("ledger-record.decision.json"))));
    before = new ChainHead(1, Chains.tree(value).get("prev").asText());
  }

  @Test
  void read_opensslPublicKey_hasTheKeyIdTheRecordNames() {
    assertThat(key.keyId()).isEqualTo(Chains.tree(value).get("keyId").asText());
  }

  @Test
  void verifyNext_opensslSignedExample_accepts() throws Exception {
    ChainEntry entry = ChainVerifier.resuming(before, List.of(key)).verifyNext(value);

    assertThat(entry.seq()).isEqualTo(1);
    assertThat(entry.eventId()).isEqualTo("dec-1f3870be274f6c49b3e31a0c6728957f");
  }

  @Test
  void verifyNext_opensslSignedExampleWithOneFlippedByte_rejectsWithBadSignature() {
    int index = new String(value, StandardCharsets.UTF_8).indexOf("acme/payments");
    byte[] flipped = Topics.flipByte(value, index);

    assertThatThrownBy(() -> ChainVerifier.resuming(before, List.of(key)).verifyNext(flipped))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.seq()).isEqualTo(1);
              assertThat(e.reason()).isEqualTo(ChainException.Reason.BAD_SIGNATURE);
            });
  }

  @Test
  void toPem_opensslPublicKey_roundTripsToTheSameKey() throws Exception {
    assertThat(LedgerPublicKey.fromPem(key.toPem())).isEqualTo(key);
    assertThat(key.toPem())
        .isEqualToIgnoringNewLines(
            Files.readString(
                Chains.example("ledger-record.decision.pub.pem"), StandardCharsets.US_ASCII));
  }

  @Test
  void fromPem_notAPublicKey_isRejected() {
    assertThatThrownBy(
            () ->
                LedgerPublicKey.fromPem(
                    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
        .isInstanceOf(PublicKeyFormatException.class);
    assertThatThrownBy(() -> LedgerPublicKey.fromPem("no pem here"))
        .isInstanceOf(PublicKeyFormatException.class);
  }
}
