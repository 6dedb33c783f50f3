package dev.tollgate.ledger.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.checkpoint.SourceAccounting.Partition;
import dev.tollgate.ledger.checkpoint.SourceAccounting.State;
import dev.tollgate.schemas.json.Json;
import java.util.TreeSet;

/**
 * The data directory's form of a {@link State}: {@code statedFromSeq}, and per partition its
 * accounted range ({@code firstAccounted}, {@code accounted}) and its {@code pending} offsets. No
 * pending duplicates: none survive a commit.
 */
final class SourceAccountingStateJson {

  private SourceAccountingStateJson() {}

  /** The state as JSON. */
  static JsonNode write(State state) {
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("statedFromSeq", state.statedFromSeq);
    ArrayNode partitions = json.putArray("partitions");
    TreeSet<Partition> all = new TreeSet<>(state.accounted.keySet());
    all.addAll(state.pending.keySet());
    for (Partition p : all) {
      ObjectNode node = partitions.addObject();
      node.put("topic", p.topic());
      node.put("partition", p.partition());
      if (state.accounted.containsKey(p)) {
        node.put("accounted", state.accounted.get(p));
        node.put("firstAccounted", state.firstAccounted.get(p));
      }
      ArrayNode offsets = node.putArray("pending");
      state.pending.getOrDefault(p, new TreeSet<>()).forEach(offsets::add);
    }
    return json;
  }

  /**
   * Reads {@link #write} back.
   *
   * @throws IllegalArgumentException when it is not that form
   */
  static State read(JsonNode json) {
    State state = State.empty();
    if (!json.isObject() || !json.path("statedFromSeq").isIntegralNumber()) {
      throw new IllegalArgumentException("source accounting state has no statedFromSeq");
    }
    state.statedFromSeq = json.path("statedFromSeq").asLong();
    for (JsonNode node : json.path("partitions")) {
      Partition p = new Partition(node.path("topic").asText(), node.path("partition").asInt(-1));
      if (p.topic().isEmpty() || p.partition() < 0) {
        throw new IllegalArgumentException("source accounting state names no partition");
      }
      if (node.has("accounted")) {
        state.accounted.put(p, node.path("accounted").asLong());
        state.firstAccounted.put(p, node.path("firstAccounted").asLong());
      }
      TreeSet<Long> offsets = new TreeSet<>();
      node.path("pending").forEach(o -> offsets.add(o.asLong()));
      if (!offsets.isEmpty()) {
        state.pending.put(p, offsets);
      }
    }
    return state;
  }
}
