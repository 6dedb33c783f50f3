package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.Base64;

/** Reads the key a key-rotation record hands the chain over to. */
final class KeyRotations {

  private KeyRotations() {}

  /**
   * The key a key-rotation record announces, after checking the record's shape: event id {@code
   * key-rotation:<seq>}, a JSON payload of exactly keyId, publicKey (base64 of the 32-byte raw key,
   * whose hash the keyId must be) and fromSeq (the next seq), and a key other than the one in
   * force.
   */
  static LedgerPublicKey announcedKey(long seq, LedgerRecord record) throws ChainException {
    RecordShape.requireKeyRotation(seq, record);
    JsonNode payload = record.payload();
    LedgerPublicKey announced;
    try {
      announced =
          LedgerPublicKey.fromRaw(Base64.getDecoder().decode(payload.path("publicKey").asText()));
    } catch (IllegalArgumentException | PublicKeyFormatException e) {
      throw new ChainException(
          seq, Reason.KEY_ROTATION_INVALID, "the announced public key is not an Ed25519 key");
    }
    if (!announced.keyId().equals(payload.path("keyId").asText())) {
      throw new ChainException(
          seq,
          Reason.KEY_ROTATION_INVALID,
          "keyId " + payload.path("keyId").asText() + " is not the announced key's id");
    }
    if (announced.keyId().equals(record.keyId())) {
      throw new ChainException(
          seq, Reason.KEY_ROTATION_INVALID, "a key rotation announces a key other than its own");
    }
    return announced;
  }
}
