package dev.tollgate.gateway.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads a record of Tollgate's ledger topic, as schemas' {@code ledger-format.md} defines it, and
 * trusts it only if its Ed25519 signature over the RFC 8785 JSON of the record without {@code
 * signature} verifies under one of the configured ledger public keys (its {@code keyId}, the hex
 * SHA-256 of the raw key, picks which). Anything else (not JSON, unsigned, an unknown key, a
 * signature that does not verify, a decision record without a trigger id) is refused with a reason
 * code and never shown on a commit.
 */
public final class LedgerRecords {

  /**
   * Refusal reasons, as the metric {@code tollgate.gateway.checks.ledger_records_refused} counts.
   */
  static final String MALFORMED = "malformed";

  static final String UNSIGNED = "unsigned";
  static final String UNKNOWN_KEY = "unknown_key";
  static final String INVALID = "invalid";

  private final EventKeyRing ledgerKeys;

  /** Records are trusted under these keys (several while the ledger's key is rotated). */
  public LedgerRecords(EventKeyRing ledgerKeys) {
    this.ledgerKeys = ledgerKeys;
  }

  /** A decision's record, authenticated: the trigger it decided and where the ledger holds it. */
  public record Decision(String triggerId, LedgerEntry entry) {}

  /**
   * The decision a record states, when it is a trusted record of kind {@code decision}; empty for a
   * trusted record of another kind.
   *
   * @param value the record's bytes exactly as stored (its record hash is over these bytes)
   * @throws RefusedException when the record is not trusted
   */
  public Optional<Decision> decision(byte[] value) throws RefusedException {
    if (value == null || value.length == 0 || value.length > LedgerRecord.MAX_BYTES) {
      throw new RefusedException(MALFORMED, "not a ledger record (empty or too large)");
    }
    JsonNode record;
    try {
      record = Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new RefusedException(MALFORMED, "not JSON");
    }
    if (!record.isObject()) {
      throw new RefusedException(MALFORMED, "not a JSON object");
    }
    // The ledger stores only the canonical form, and its record hash is over the stored bytes:
    // another encoding of a signed record would name a hash the chain does not hold.
    if (!Arrays.equals(value, CanonicalJson.bytes(record))) {
      throw new RefusedException(MALFORMED, "not in RFC 8785 canonical form");
    }
    JsonNode keyId = record.get("keyId");
    JsonNode signature = record.get(LedgerRecord.SIGNATURE_FIELD);
    if (keyId == null || !keyId.isTextual() || signature == null || !signature.isTextual()) {
      throw new RefusedException(UNSIGNED, "no keyId or signature");
    }
    Optional<EventPublicKey> key = ledgerKeys.key(keyId.textValue());
    if (key.isEmpty()) {
      throw new RefusedException(
          UNKNOWN_KEY, "signed with key " + keyId.textValue() + ", not a trusted ledger key");
    }
    byte[] signatureBytes;
    try {
      signatureBytes = Base64.getDecoder().decode(signature.textValue());
    } catch (IllegalArgumentException e) {
      throw new RefusedException(INVALID, "the signature is not base64");
    }
    // Only the one canonical encoding: a signature re-encoded with other padding bits is not ours.
    if (!Base64.getEncoder().encodeToString(signatureBytes).equals(signature.textValue())
        || !key.get().verifies(LedgerRecord.signedBytes(record), signatureBytes)) {
      throw new RefusedException(
          INVALID, "the signature does not verify under key " + key.get().keyId());
    }
    if (!"decision".equals(record.path("kind").asText(null))) {
      return Optional.empty();
    }
    JsonNode seq = record.get("seq");
    String triggerId = record.path("links").path("triggerId").asText(null);
    if (seq == null || !seq.canConvertToExactIntegral() || seq.asLong() < 0 || triggerId == null) {
      throw new RefusedException(MALFORMED, "a decision record without seq or links.triggerId");
    }
    return Optional.of(
        new Decision(triggerId, new LedgerEntry(seq.asLong(), Sha256.digest(value))));
  }

  @Override
  public String toString() {
    return "LedgerRecords[" + ledgerKeys.keys().keySet() + "]";
  }
}
