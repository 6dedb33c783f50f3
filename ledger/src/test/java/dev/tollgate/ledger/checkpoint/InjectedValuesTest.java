package dev.tollgate.ledger.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which values on the ledger topic are the ledger's: canonical, signed by a key in force, not a
 * copy of an earlier record. Everything else is injected and skipped; a value that is the ledger's
 * but does not extend the chain stays a chain failure.
 */
class InjectedValuesTest {

  private final LedgerSigner signer = TestKeys.signer();
  private final List<byte[]> chain = Chains.build(signer, 3);

  private LedgerVerifier verifier() {
    return LedgerVerifier.trusting(
        List.of(signer.publicKey()), Optional.empty(), MerkleTree.inMemory());
  }

  @Test
  void injected_garbageJson_notARecord() {
    assertThat(reason(verifier(), "{\"garbage\":true}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Injected.Reason.NOT_A_RECORD);
  }

  @Test
  void injected_bytesThatAreNotJson_notJson() {
    assertThat(reason(verifier(), new byte[] {(byte) 0xff, 0, 1}))
        .isEqualTo(Injected.Reason.NOT_JSON);
  }

  @Test
  void injected_ownRecordReencodedWithSpaces_notCanonical() {
    byte[] spaced =
        new String(chain.get(0), StandardCharsets.UTF_8)
            .replaceFirst(",", ", ")
            .getBytes(StandardCharsets.UTF_8);

    assertThat(reason(verifier(), spaced)).isEqualTo(Injected.Reason.NOT_CANONICAL);
  }

  @Test
  void injected_wellFormedRecordOfAnotherKey_unknownKey() {
    byte[] foreign = Chains.build(TestKeys.signer(), 1).get(0);

    assertThat(reason(verifier(), foreign)).isEqualTo(Injected.Reason.UNKNOWN_KEY);
  }

  @Test
  void injected_ledgerKeyIdWithAForgedSignature_badSignature() {
    ObjectNode tree = Chains.tree(chain.get(0));
    tree.put("eventId", "forged");

    assertThat(reason(verifier(), CanonicalJson.bytes(tree)))
        .isEqualTo(Injected.Reason.BAD_SIGNATURE);
  }

  @Test
  void injected_exactCopyOfAnEarlierRecord_replayed() throws Exception {
    LedgerVerifier ledger = verifier();
    ledger.verifyNext(chain.get(0));
    ledger.verifyNext(chain.get(1));

    Optional<Injected> copy = ledger.injected(chain.get(0), null);

    assertThat(copy)
        .hasValueSatisfying(i -> assertThat(i.reason()).isEqualTo(Injected.Reason.REPLAYED));
    assertThat(copy.get().why()).contains("seq 0");
  }

  @Test
  void injected_theNextOwnRecord_isNotInjected() throws Exception {
    LedgerVerifier ledger = verifier();
    ledger.verifyNext(chain.get(0));

    assertThat(ledger.injected(chain.get(1), null)).isEmpty();
  }

  @Test
  void verifyNext_ownSignedRecordThatForksTheChain_isAChainFailureNotInjected() throws Exception {
    LedgerVerifier ledger = verifier();
    ledger.verifyNext(chain.get(0));
    ledger.verifyNext(chain.get(1));
    // Signed by the ledger key, at seq 1 again, with another event: a fork, not someone else's.
    byte[] fork =
        RecordBuilder.build(
            ChainHeadOf.after(chain.get(0)),
            Chains.trigger("other", 9),
            Instant.parse("2026-12-01T00:00:00Z"),
            signer);

    assertThat(ledger.injected(fork, null)).isEmpty();
    assertThatThrownBy(() -> ledger.verifyNext(fork))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> assertThat(e.reason()).isEqualTo(ChainException.Reason.SEQ_MISMATCH));
  }

  @Test
  void requireOwnRecords_onlyRecordsOfAnotherKey_failsWithUnknownKey() {
    LedgerVerifier ledger = verifier();
    for (byte[] value : Chains.build(TestKeys.signer(), 2)) {
      assertThat(ledger.injected(value, null)).isPresent();
    }

    assertThatThrownBy(ledger::requireOwnRecords)
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> assertThat(e.reason()).isEqualTo(ChainException.Reason.UNKNOWN_KEY));
  }

  @Test
  void requireOwnRecords_onlyGarbage_passesAsAnEmptyLedger() throws Exception {
    LedgerVerifier ledger = verifier();
    assertThat(ledger.injected("{\"garbage\":true}".getBytes(StandardCharsets.UTF_8), null))
        .isPresent();

    ledger.requireOwnRecords();
    assertThat(ledger.head().isEmpty()).isTrue();
  }

  private static Injected.Reason reason(LedgerVerifier ledger, byte[] value) {
    return ledger.injected(value, null).orElseThrow().reason();
  }

  /** The chain head after one record. */
  private static final class ChainHeadOf {
    static dev.tollgate.ledger.chain.ChainHead after(byte[] first) {
      return dev.tollgate.ledger.chain.ChainHead.EMPTY.append(
          dev.tollgate.schemas.ledger.LedgerRecord.recordHash(Chains.tree(first)));
    }
  }
}
