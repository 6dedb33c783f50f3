package dev.tollgate.ledger.chain;

import static dev.tollgate.ledger.chain.ShapeChecks.KEY_ID;
import static dev.tollgate.ledger.chain.ShapeChecks.invalid;
import static dev.tollgate.ledger.chain.ShapeChecks.requireMembers;
import static dev.tollgate.ledger.chain.ShapeChecks.requireText;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Sha256;
import java.util.List;
import java.util.Set;

/**
 * The shape of a record's {@code authentication} member: how the ledger recorded the source event's
 * signature (signer, result, and the signed CloudEvents attributes).
 */
final class AuthenticationShape {

  private static final Set<String> AUTHENTICATION_FIELDS =
      Set.of("signer", "result", "keyId", "why", "signed", "signature");
  private static final Set<String> SIGNED_FIELDS =
      Set.of(
          "specversion",
          "id",
          "type",
          "source",
          "subject",
          "time",
          "datacontenttype",
          "tollgatesigner",
          "datadigest");
  private static final List<String> SIGNED_REQUIRED =
      List.of("specversion", "id", "type", "source", "tollgatesigner", "datadigest");

  private AuthenticationShape() {}

  /**
   * The members and types of {@code authentication}; the values the record type admits (signer,
   * result, which members each result needs) are checked when the record is read.
   */
  static void require(long seq, JsonNode authentication) throws ChainException {
    if (!authentication.isObject()) {
      throw invalid(seq, "'authentication' must be an object");
    }
    requireMembers(seq, authentication, "authentication", AUTHENTICATION_FIELDS);
    requireText(seq, authentication, "signer");
    requireText(seq, authentication, "result");
    for (String field : List.of("keyId", "why", "signature")) {
      if (authentication.has(field)) {
        requireText(seq, authentication, field);
      }
    }
    if (authentication.has("keyId")
        && !KEY_ID.matcher(authentication.get("keyId").asText()).matches()) {
      throw invalid(seq, "'authentication.keyId' must be 64 lowercase hex");
    }
    if (authentication.has("why") && authentication.get("why").asText().isEmpty()) {
      throw invalid(seq, "'authentication.why' must not be empty");
    }
    if (authentication.has("signature")
        && !RecordShape.isSignature(authentication.get("signature").asText())) {
      throw invalid(seq, "'authentication.signature' must be 64 bytes in padded base64");
    }
    JsonNode signed = authentication.get("signed");
    if (signed == null) {
      return;
    }
    if (!signed.isObject()) {
      throw invalid(seq, "'authentication.signed' must be an object");
    }
    requireMembers(seq, signed, "authentication.signed", SIGNED_FIELDS);
    for (String field : SIGNED_REQUIRED) {
      if (!signed.has(field)) {
        throw invalid(seq, "'authentication.signed." + field + "' is required");
      }
    }
    for (String field : SIGNED_FIELDS) {
      if (signed.has(field)) {
        requireText(seq, signed, field);
      }
    }
    if (!KEY_ID.matcher(signed.get("tollgatesigner").asText()).matches()
        || !Sha256.isDigest(signed.get("datadigest").asText())) {
      throw invalid(
          seq, "'authentication.signed' names a key id and a sha256 datadigest of their form");
    }
  }
}
