package dev.tollgate.gateway.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.ledger.LedgerRecord;
import dev.tollgate.schemas.signing.EventKeyException;
import dev.tollgate.schemas.signing.EventSigningKey;
import java.util.Base64;

/**
 * Ledger records as the ledger writes them (ledger-format.md): canonical JSON, signed over the
 * record without {@code signature} by a test ledger key (signing/ledger-records.pem, made once with
 * {@code openssl genpkey -algorithm ed25519}).
 */
final class LedgerRecordFixtures {

  static final String LEDGER_KEY = "signing/ledger-records.pem";
  static final String LEDGER_PUBLIC_KEY = "signing/ledger-records.pub.pem";

  private LedgerRecordFixtures() {}

  /** The unsigned decision record of {@code triggerId} at {@code seq}. */
  static ObjectNode decision(long seq, String triggerId, String keyId) {
    ObjectNode record = Json.mapper().createObjectNode();
    record.put("seq", seq);
    record.put("prev", LedgerRecord.GENESIS_PREV);
    record.put("time", "2026-11-22T09:20:42.001Z");
    record.put("kind", "decision");
    record.put("eventId", "dec-" + seq);
    record.put("eventType", "dev.tollgate.decision.v1");
    record.putObject("links").put("triggerId", triggerId);
    ObjectNode source = record.putObject("source");
    source.put("topic", "tollgate.decisions.v1");
    source.put("partition", 0);
    source.put("offset", seq);
    record.put("payloadEncoding", "json");
    record.putObject("payload").put("outcome", "denied");
    record.put("payloadDigest", "sha256:" + "0".repeat(64));
    record.put("keyId", keyId);
    return record;
  }

  /** The record signed with the key in {@code keyResource}, as stored bytes. */
  static byte[] signed(ObjectNode unsigned, String keyResource) {
    EventSigningKey key = key(keyResource);
    ObjectNode record = unsigned.deepCopy();
    record.put(
        LedgerRecord.SIGNATURE_FIELD,
        Base64.getEncoder().encodeToString(key.sign(LedgerRecord.signedBytes(record))));
    return CanonicalJson.bytes(record);
  }

  /** A decision record of {@code triggerId} at {@code seq}, signed by the test ledger key. */
  static byte[] signedDecision(long seq, String triggerId) {
    return signed(decision(seq, triggerId, key(LEDGER_KEY).keyId()), LEDGER_KEY);
  }

  static EventSigningKey key(String resource) {
    try {
      return EventSigningKey.read(Fixtures.testResource(resource));
    } catch (EventKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
