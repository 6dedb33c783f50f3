package dev.tollgate.ledger.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * schemas/examples/ledger-record.checkpoint.json was made independently of this code, with Python's
 * hashlib and json (RFC 8785 for its plain content) and openssl Ed25519 signatures (note body and
 * record). Accepting it shows our key ID, note and checkpoint formats are the documented ones. Its
 * predecessors are not published: 'prev' and the root are of placeholder records.
 */
class ExampleCheckpointTest {

  /** The verifier key the generator printed for the example key. */
  private static final String VKEY =
      "tollgate.dev/ledger/tollgate.ledger.v1+dae23963+AQKiiRFP/92gTMFu6m1LTz9Ik86b+6aJWzdLqkuKb95j";

  private LedgerPublicKey key;
  private byte[] value;
  private JsonNode record;

  @BeforeEach
  void readExample() throws Exception {
    key = LedgerPublicKey.read(Chains.example("ledger-record.checkpoint.pub.pem"));
    value =
        CanonicalJson.bytes(
            Json.readTree(Files.readAllBytes(Chains.example("ledger-record.checkpoint.json"))));
    record = Json.readTree(value);
  }

  @Test
  void vkey_exampleKeyUnderTheOrigin_isTheIndependentlyComputedOne() throws Exception {
    NoteKey noteKey = NoteKey.of(record.get("payload").get("origin").asText(), key);

    assertThat(noteKey.vkey()).isEqualTo(VKEY);
    assertThat(NoteKey.parse(VKEY)).isEqualTo(noteKey);
  }

  @Test
  void verifyNext_opensslSignedCheckpointRecord_accepts() throws Exception {
    ChainEntry entry =
        ChainVerifier.resuming(new ChainHead(3, record.get("prev").asText()), List.of(key))
            .verifyNext(value);

    Checkpoint checkpoint = Checkpoint.fromPayload(record.get("payload"), NoteKey.parse(VKEY));

    assertThat(entry.eventId()).isEqualTo("checkpoint:3");
    assertThat(checkpoint.size()).isEqualTo(3);
    assertThat(checkpoint.rootDigest()).isEqualTo(record.get("payload").get("rootHash").asText());
  }

  @Test
  void verifyNext_checkpointRecordMovedToAnotherSeqAndResigned_rejectsAsInvalidCheckpoint() {
    LedgerSigner signer = TestKeys.signer();
    byte[] moved =
        Chains.resign(
            value,
            signer,
            r -> {
              r.put("seq", 4);
              r.put("keyId", signer.publicKey().keyId());
            });

    assertThatThrownBy(
            () ->
                ChainVerifier.resuming(
                        new ChainHead(4, record.get("prev").asText()), List.of(signer.publicKey()))
                    .verifyNext(moved))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> assertThat(e.reason()).isEqualTo(ChainException.Reason.CHECKPOINT_INVALID));
  }
}
