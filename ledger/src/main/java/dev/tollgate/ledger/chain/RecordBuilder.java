package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Builds the next ledger record for an event: links it to the chain head, records the payload and
 * its digest, and signs it. The result is the exact value that goes on the ledger topic.
 */
public final class RecordBuilder {

  private RecordBuilder() {}

  /** The RFC 8785 canonical bytes of the signed record that follows {@code head}. */
  public static byte[] build(ChainHead head, SourceEvent event, Instant time, RecordSigner signer) {
    Payload payload = payload(event.data());
    LedgerRecord unsigned =
        new LedgerRecord(
            head.nextSeq(),
            head.nextPrev(),
            time,
            event.kind(),
            event.eventId(),
            event.eventType(),
            links(payload),
            event.source(),
            payload.encoding(),
            payload.value(),
            payload.digest(),
            signer.publicKey().keyId(),
            null);
    return sign(unsigned, signer);
  }

  /**
   * The RFC 8785 canonical bytes of the signed checkpoint record that follows {@code head}: kind
   * {@code checkpoint}, event id {@code checkpoint:<seq>}, no source, the checkpoint payload as
   * JSON. The payload must state the size {@code head.size()}.
   */
  public static byte[] checkpoint(
      ChainHead head, JsonNode checkpointPayload, Instant time, RecordSigner signer) {
    LedgerRecord unsigned =
        new LedgerRecord(
            head.nextSeq(),
            head.nextPrev(),
            time,
            LedgerRecord.Kind.CHECKPOINT,
            LedgerRecord.CHECKPOINT_EVENT_ID_PREFIX + head.nextSeq(),
            null,
            LedgerRecord.Links.NONE,
            null,
            LedgerRecord.PayloadEncoding.JSON,
            checkpointPayload,
            Sha256.digest(CanonicalJson.bytes(checkpointPayload)),
            signer.publicKey().keyId(),
            null);
    return sign(unsigned, signer);
  }

  private static byte[] sign(LedgerRecord unsigned, RecordSigner signer) {
    ObjectNode tree = (ObjectNode) unsigned.toTree();
    tree.remove(LedgerRecord.SIGNATURE_FIELD);
    byte[] signature = signer.sign(LedgerRecord.signedBytes(tree));
    tree.put(LedgerRecord.SIGNATURE_FIELD, Base64.getEncoder().encodeToString(signature));
    return CanonicalJson.bytes(tree);
  }

  private static Payload payload(byte[] data) {
    try {
      JsonNode json = Json.readTree(data);
      return new Payload(
          LedgerRecord.PayloadEncoding.JSON, json, Sha256.digest(CanonicalJson.bytes(json)));
    } catch (MalformedJsonException e) {
      return base64(data);
    } catch (UncheckedIOException e) {
      // JSON that has no RFC 8785 form (a number beyond double range) is kept as its raw bytes.
      return base64(data);
    }
  }

  private static Payload base64(byte[] data) {
    return new Payload(
        LedgerRecord.PayloadEncoding.BASE64,
        TextNode.valueOf(Base64.getEncoder().encodeToString(data)),
        Sha256.digest(data));
  }

  private static LedgerRecord.Links links(Payload payload) {
    if (payload.encoding() != LedgerRecord.PayloadEncoding.JSON || !payload.value().isObject()) {
      return LedgerRecord.Links.NONE;
    }
    return new LedgerRecord.Links(
        text(payload.value(), "triggerId"),
        text(payload.value(), "decisionId"),
        text(payload.value(), "runUid"),
        List.of());
  }

  private static String text(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }

  private record Payload(LedgerRecord.PayloadEncoding encoding, JsonNode value, String digest) {}
}
