package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Tells values someone else wrote to the ledger's topic from the ledger's records: every record the
 * ledger writes is canonical and signed by the key in force, so whatever is not was injected and is
 * skipped, not a break of the chain.
 */
final class ForeignValues {

  private ForeignValues() {}

  /**
   * Why {@code value} is not one of the ledger's records, if it is not, given the keys in force by
   * key id. Uses {@code precheck} (when not null) as {@link ChainVerifier#verifyNext(byte[],
   * ChainVerifier.Precheck)} does.
   */
  static Optional<Injected> why(
      byte[] value, ChainVerifier.Precheck precheck, Map<String, LedgerPublicKey> keys) {
    JsonNode tree;
    boolean canonical;
    if (precheck != null) {
      if (precheck.tree == null) {
        return foreign(Injected.Reason.NOT_JSON, "not JSON: " + precheck.notJson);
      }
      tree = precheck.tree;
      canonical = precheck.canonical;
    } else {
      try {
        tree = Json.readTree(value);
      } catch (MalformedJsonException e) {
        return foreign(Injected.Reason.NOT_JSON, "not JSON: " + e.getMessage());
      }
      canonical = Arrays.equals(value, RecordDigests.canonicalOrEmpty(tree));
    }
    if (!canonical) {
      return foreign(
          Injected.Reason.NOT_CANONICAL,
          "not RFC 8785 canonical JSON, which is all the ledger writes");
    }
    JsonNode keyId = tree.path("keyId");
    JsonNode signature = tree.path("signature");
    if (!tree.isObject()
        || !keyId.isTextual()
        || !signature.isTextual()
        || !RecordShape.isSignature(signature.asText())) {
      return foreign(Injected.Reason.NOT_A_RECORD, "carries no ledger key id and signature");
    }
    LedgerPublicKey key = keys.get(keyId.asText());
    if (key == null) {
      return foreign(
          Injected.Reason.UNKNOWN_KEY,
          "signed by key "
              + keyId.asText()
              + ", not a ledger key in force "
              + keys.keySet().stream().sorted().toList());
    }
    boolean valid =
        precheck != null && key.equals(precheck.key)
            ? precheck.signatureValid
            : key.verifies(
                LedgerRecord.signedBytes(tree), Base64.getDecoder().decode(signature.asText()));
    if (!valid) {
      return foreign(
          Injected.Reason.BAD_SIGNATURE,
          "names ledger key " + keyId.asText() + " but its signature does not verify");
    }
    return Optional.empty();
  }

  private static Optional<Injected> foreign(Injected.Reason reason, String why) {
    return Optional.of(new Injected(reason, why));
  }
}
