package dev.tollgate.schemas.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.ledger.LedgerRecord.Kind;
import dev.tollgate.schemas.ledger.LedgerRecord.PayloadEncoding;
import dev.tollgate.schemas.ledger.LedgerRecord.Sealed;
import java.util.List;

/**
 * The rules a record's {@link Sealed} parts keep together, checked by its canonical constructor.
 */
final class SealedParts {

  private SealedParts() {}

  /**
   * Checks that sealed parts are on a JSON payload of a source event, in strict pointer order, none
   * inside another, and that {@code payload} holds each commitment where its value was.
   */
  static void requireConsistent(
      Kind kind, PayloadEncoding encoding, JsonNode payload, List<Sealed> sealed) {
    if (kind.isLedgerOwn() || encoding != PayloadEncoding.JSON) {
      throw new IllegalArgumentException(
          "only the JSON payload of a source event has sealed parts");
    }
    String previous = null;
    for (Sealed part : sealed) {
      if (previous != null
          && (part.pointer().compareTo(previous) <= 0
              || part.pointer().startsWith(previous + "/"))) {
        throw new IllegalArgumentException(
            "sealed[] pointers are in strictly increasing order, none inside another");
      }
      JsonNode at = payload.at(part.pointer());
      if (!at.isTextual() || !at.asText().equals(part.commitment())) {
        throw new IllegalArgumentException(
            "payload holds the commitment at sealed pointer " + part.pointer());
      }
      previous = part.pointer();
    }
  }
}
