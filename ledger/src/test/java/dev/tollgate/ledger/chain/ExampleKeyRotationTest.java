package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * schemas/examples/ledger-record.key-rotation.json was made independently of this code, with
 * Python's {@code cryptography} package (Ed25519) and {@code json.dumps(sort_keys=True,
 * separators=(',', ':'))} as RFC 8785 for its plain values, signed by the key in
 * ledger-record.key-rotation.pub.pem. Accepting it shows the key-rotation format is the documented
 * one.
 */
class ExampleKeyRotationTest {

  @Test
  void verifyNext_independentlyMadeRotation_acceptedAndTheAnnouncedKeyIsInForce() throws Exception {
    LedgerPublicKey oldKey =
        LedgerPublicKey.read(Chains.example("ledger-record.key-rotation.pub.pem"));
    var record =
        Json.readTree(Files.readAllBytes(Chains.example("ledger-record.key-rotation.json")));
    byte[] value = CanonicalJson.bytes(record);
    ChainHead before = new ChainHead(4, record.get("prev").asText());

    ChainVerifier verifier = ChainVerifier.resuming(before, List.of(oldKey));
    ChainEntry entry = verifier.verifyNext(value);

    assertThat(entry.seq()).isEqualTo(4);
    assertThat(verifier.keysInForce())
        .singleElement()
        .satisfies(
            k -> assertThat(k.keyId()).isEqualTo(record.get("payload").get("keyId").asText()));
    assertThat(verifier.keyInForce(oldKey.keyId())).isNull();
  }
}
