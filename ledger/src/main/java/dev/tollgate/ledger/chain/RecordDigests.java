package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.UncheckedIOException;
import java.util.Base64;

/** The canonical bytes and payload digest the chain compares a stored record with. */
final class RecordDigests {

  private RecordDigests() {}

  /** The RFC 8785 form of {@code tree}, or no bytes when it has none. */
  static byte[] canonicalOrEmpty(JsonNode tree) {
    try {
      return CanonicalJson.bytes(tree);
    } catch (UncheckedIOException e) {
      // JSON without an RFC 8785 form (a number beyond double range) is never a valid record.
      return new byte[0];
    }
  }

  /**
   * The digest of the record's payload: of its canonical JSON, or of the bytes its padded base64
   * spells.
   *
   * @throws ChainException {@link Reason#INVALID_RECORD} when a base64 payload is not that
   */
  static String payloadDigest(long seq, LedgerRecord record) throws ChainException {
    JsonNode payload = record.payload();
    if (record.payloadEncoding() == LedgerRecord.PayloadEncoding.JSON) {
      // The record as a whole is canonical, so its payload has a canonical form too.
      return Sha256.digest(CanonicalJson.bytes(payload));
    }
    if (!payload.isTextual()) {
      throw invalid(seq, "a base64 payload is a string");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(payload.asText());
    } catch (IllegalArgumentException e) {
      throw invalid(seq, "the base64 payload is not base64");
    }
    if (!Base64.getEncoder().encodeToString(raw).equals(payload.asText())) {
      throw invalid(seq, "the base64 payload is not padded base64");
    }
    return Sha256.digest(raw);
  }

  private static ChainException invalid(long seq, String message) {
    return new ChainException(seq, Reason.INVALID_RECORD, message);
  }
}
