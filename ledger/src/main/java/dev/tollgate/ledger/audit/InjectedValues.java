package dev.tollgate.ledger.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.schemas.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The values an auditor command found on the ledger topic that are not the ledger's records and
 * skipped: where each was (topic offset, or line of an export) and what it was. Reported, never
 * silently dropped: someone with write access to the topic produced them.
 */
final class InjectedValues {

  /** One injected value. */
  record At(long offset, Injected injected) {}

  private final List<At> values = new ArrayList<>();

  void add(long offset, Injected injected) {
    values.add(new At(offset, injected));
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  int size() {
    return values.size();
  }

  /** The text appended to an OK line, or "" when there were none. */
  String summary() {
    return values.isEmpty()
        ? ""
        : "; "
            + values.size()
            + " injected values skipped (not the ledger's records, listed below)";
  }

  /** One line per value: {@code INJECTED at offset <n>: <REASON>: <why>}. */
  void print(PrintWriter out) {
    for (At at : values) {
      out.println("INJECTED at offset " + at.offset() + ": " + at.injected().describe());
    }
    out.flush();
  }

  /** As a JSON array of {offset, reason, message}. */
  ArrayNode toJson() {
    ArrayNode array = Json.mapper().createArrayNode();
    for (At at : values) {
      ObjectNode value = array.addObject();
      value.put("offset", at.offset());
      value.put("reason", at.injected().reason().name());
      value.put("message", at.injected().why());
    }
    return array;
  }
}
