package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/** The member and type checks {@link RecordShape} and {@link AuthenticationShape} share. */
final class ShapeChecks {

  /** A key id: the lowercase hex SHA-256 of a raw Ed25519 public key. */
  static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

  private ShapeChecks() {}

  /** The first member of {@code object} not in {@code allowed}, or null. */
  static String unknownMember(JsonNode object, Set<String> allowed) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        return name;
      }
    }
    return null;
  }

  static void requireMembers(long seq, JsonNode object, String what, Set<String> allowed)
      throws ChainException {
    String unknown = unknownMember(object, allowed);
    if (unknown != null) {
      throw invalid(seq, what + " has unknown member '" + unknown + "'");
    }
  }

  static void requireText(long seq, JsonNode object, String field) throws ChainException {
    JsonNode value = object.get(field);
    if (value == null || !value.isTextual()) {
      throw invalid(seq, "'" + field + "' must be a string");
    }
  }

  static void requireIntegral(long seq, JsonNode object, String field) throws ChainException {
    JsonNode value = object.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw invalid(seq, "'" + field + "' must be an integer");
    }
  }

  static ChainException invalid(long seq, String message) {
    return new ChainException(seq, Reason.INVALID_RECORD, message);
  }
}
