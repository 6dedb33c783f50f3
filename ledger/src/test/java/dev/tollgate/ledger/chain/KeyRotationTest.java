package dev.tollgate.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A ledger whose key is rotated at seq 2: records 0-2 signed by the old key, 3-4 by the new. */
class KeyRotationTest {

  private static final Instant TIME = Instant.parse("2026-11-22T10:00:00Z");

  private static LedgerSigner oldKey;
  private static LedgerSigner newKey;

  @BeforeAll
  static void keys() {
    oldKey = TestKeys.signer();
    newKey = TestKeys.signer();
  }

  /** Records 0-1 by the old key, the rotation at seq 2, records 3-4 by {@code after}. */
  private static List<byte[]> rotated(LedgerSigner after, LedgerSigner announcer) {
    List<byte[]> values = new ArrayList<>();
    ChainHead head = ChainHead.EMPTY;
    for (int i = 0; i < 5; i++) {
      byte[] value;
      if (i == 2) {
        value = RecordBuilder.keyRotation(head, newKey.publicKey(), TIME, announcer);
      } else {
        value =
            RecordBuilder.build(
                head, Chains.trigger("event-" + i, i), TIME, i < 2 ? oldKey : after);
      }
      values.add(value);
      head = head.append(LedgerRecord.recordHash(Chains.tree(value)));
    }
    return values;
  }

  @Test
  void verifyNext_rotationSignedByOldKey_followsItTrustingOnlyTheOldKey() throws Exception {
    ChainVerifier verifier = ChainVerifier.trusting(List.of(oldKey.publicKey()));
    for (byte[] value : rotated(newKey, oldKey)) {
      verifier.verifyNext(value);
    }
    assertThat(verifier.head().size()).isEqualTo(5);
    assertThat(verifier.keysInForce()).containsExactly(newKey.publicKey());
    assertThat(Chains.tree(rotated(newKey, oldKey).get(2)).get("kind").asText())
        .isEqualTo("key-rotation");
  }

  @Test
  void verifyNext_oldKeySignsAfterRotation_failsAtThatSeqWithUnknownKey() throws Exception {
    List<byte[]> values = rotated(oldKey, oldKey);
    ChainVerifier verifier = ChainVerifier.trusting(List.of(oldKey.publicKey()));
    for (int i = 0; i < 3; i++) {
      verifier.verifyNext(values.get(i));
    }
    assertThatThrownBy(() -> verifier.verifyNext(values.get(3)))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.seq()).isEqualTo(3);
              assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
            });
  }

  @Test
  void verifyNext_rotationSignedByAnUntrustedKey_failsAtTheRotation() throws Exception {
    List<byte[]> values = rotated(newKey, newKey);
    ChainVerifier verifier = ChainVerifier.trusting(List.of(oldKey.publicKey()));
    verifier.verifyNext(values.get(0));
    verifier.verifyNext(values.get(1));
    assertThatThrownBy(() -> verifier.verifyNext(values.get(2)))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.seq()).isEqualTo(2);
              assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
            });
  }

  @Test
  void verifyNext_rotationWithWrongFromSeq_failsWithKeyRotationInvalid() throws Exception {
    List<byte[]> values = rotated(newKey, oldKey);
    byte[] wrongFrom =
        Chains.resign(
            values.get(2),
            oldKey,
            r ->
                Chains.replacePayload(
                    r, ((ObjectNode) r.get("payload").deepCopy()).put("fromSeq", 7)));
    ChainVerifier verifier = ChainVerifier.trusting(List.of(oldKey.publicKey()));
    verifier.verifyNext(values.get(0));
    verifier.verifyNext(values.get(1));
    assertThatThrownBy(() -> verifier.verifyNext(wrongFrom))
        .isInstanceOfSatisfying(
            ChainException.class,
            e -> {
              assertThat(e.seq()).isEqualTo(2);
              assertThat(e.reason()).isEqualTo(Reason.KEY_ROTATION_INVALID);
            });
  }

  @Test
  void rollback_afterRotation_restoresTheOldKey() throws Exception {
    List<byte[]> values = rotated(newKey, oldKey);
    ChainVerifier verifier = ChainVerifier.trusting(List.of(oldKey.publicKey()));
    verifier.verifyNext(values.get(0));
    verifier.verifyNext(values.get(1));
    verifier.markCommitted();
    verifier.verifyNext(values.get(2));
    verifier.rollback();
    assertThat(verifier.keysInForce()).containsExactly(oldKey.publicKey());
  }

  @Test
  void verifyNext_severalKeysTrusted_onlyTheFirstRecordsSignerStaysInForce() throws Exception {
    // A writer rebuilding from the topic trusts its new key and its previous one for the first
    // record; the chain was signed by the previous one, so the new key must be announced first.
    List<byte[]> values = rotated(newKey, oldKey);
    ChainVerifier verifier =
        ChainVerifier.trusting(List.of(newKey.publicKey(), oldKey.publicKey()));
    verifier.verifyNext(values.get(0));

    assertThat(verifier.keysInForce()).containsExactly(oldKey.publicKey());
  }

  @Test
  void verifyNext_newKeySignsWithoutRotationThoughTrustedAtFirst_failsWithUnknownKey()
      throws Exception {
    ChainHead head = ChainHead.EMPTY;
    byte[] first = RecordBuilder.build(head, Chains.trigger("event-0", 0), TIME, oldKey);
    head = head.append(LedgerRecord.recordHash(Chains.tree(first)));
    byte[] second = RecordBuilder.build(head, Chains.trigger("event-1", 1), TIME, newKey);
    ChainVerifier verifier =
        ChainVerifier.trusting(List.of(newKey.publicKey(), oldKey.publicKey()));
    verifier.verifyNext(first);

    assertThatThrownBy(() -> verifier.verifyNext(second))
        .isInstanceOfSatisfying(
            ChainException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
  }
}
