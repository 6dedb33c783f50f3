package dev.tollgate.cli.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.time.Instant;
import java.util.Optional;

/**
 * One verified ledger record of a source event, as a command reads it: where it is (seq, time),
 * what it is, the event's data, and what the ledger found when it checked the event's signature
 * (part of the record the ledger signed, so the ledger vouches for it).
 */
public record Recorded(long seq, Instant time, String kind, String eventId, JsonNode record) {

  /** The record as read from the ledger. */
  public static Recorded of(long seq, JsonNode record) {
    return new Recorded(
        seq,
        Instant.parse(record.path("time").asText()),
        record.path("kind").asText(),
        record.path("eventId").asText(),
        record);
  }

  /** The trigger this record links, if any. */
  public Optional<String> triggerId() {
    return Optional.ofNullable(record.path("links").path("triggerId").asText(null));
  }

  /** The event's data when it was JSON; empty when the ledger holds it as base64 bytes. */
  public Optional<JsonNode> payload() {
    return record.path("payloadEncoding").asText().equals("json")
        ? Optional.of(record.path("payload"))
        : Optional.empty();
  }

  /** The event's data bound to {@code type}, or why it does not bind. */
  public <T> Bound<T> payloadAs(Class<T> type) {
    Optional<JsonNode> payload = payload();
    if (payload.isEmpty()) {
      return new Bound<>(Optional.empty(), "its data is not JSON");
    }
    try {
      return new Bound<>(Optional.of(Json.read(CanonicalJson.bytes(payload.get()), type)), null);
    } catch (MalformedJsonException e) {
      return new Bound<>(Optional.empty(), e.getMessage());
    }
  }

  /** A payload bound to a contract type, or why not. */
  public record Bound<T>(Optional<T> value, String why) {}

  /** Whether the event verified under a key the ledger trusts for its topic. */
  public boolean authenticated() {
    return record.path("authentication").path("result").asText().equals("verified");
  }

  /**
   * What the ledger found about the event's signature, in words: {@code verified as the gateway's
   * (key 1a2b...)}, {@code NOT verified: unsigned (...)}, or that the ledger did not check it.
   */
  public String authenticity() {
    JsonNode a = record.path("authentication");
    if (a.isMissingNode()) {
      return "NOT checked (recorded before the ledger checked event signatures)";
    }
    String signer = a.path("signer").asText();
    String key = a.path("keyId").asText(null);
    if (authenticated()) {
      return "verified as the " + signer + "'s (key " + key + ")";
    }
    return "NOT verified as the "
        + signer
        + "'s: "
        + a.path("result").asText()
        + (key == null ? "" : " (key " + key + ")")
        + ": "
        + a.path("why").asText();
  }
}
