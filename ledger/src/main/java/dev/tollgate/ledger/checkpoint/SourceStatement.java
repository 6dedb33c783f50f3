package dev.tollgate.ledger.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.ledger.checkpoint.SourceAccounting.Partition;
import dev.tollgate.schemas.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The form of a checkpoint's {@code sources} ({@link SourceAccounting#SOURCES_FIELD}): writing it,
 * and reading it member by member with the checks that need no accounting state. Every failure is a
 * {@link ChainException} with {@link Reason#SOURCE_ACCOUNTING_INVALID}.
 */
final class SourceStatement {

  private static final Set<String> RANGE_FIELDS =
      Set.of("topic", "partition", "fromOffset", "nextOffset", "duplicates");
  private static final Set<String> DUPLICATE_FIELDS = Set.of("offset", "seq");

  private SourceStatement() {}

  /**
   * The statement of the ranges consumed since the last checkpoint: for each partition with pending
   * offsets or duplicates, {@code fromOffset} where its previous range ended (or its first consumed
   * offset), {@code nextOffset} one past the last offset consumed, and the duplicates.
   */
  static ArrayNode write(
      Map<Partition, TreeSet<Long>> pending,
      Map<Partition, TreeMap<Long, Long>> pendingDuplicates,
      Map<Partition, Long> accounted) {
    ArrayNode sources = Json.mapper().createArrayNode();
    TreeSet<Partition> consumed = new TreeSet<>(pending.keySet());
    consumed.addAll(pendingDuplicates.keySet());
    for (Partition p : consumed) {
      TreeSet<Long> offsets = new TreeSet<>(pending.getOrDefault(p, new TreeSet<>()));
      TreeMap<Long, Long> duplicates = pendingDuplicates.getOrDefault(p, new TreeMap<>());
      offsets.addAll(duplicates.keySet());
      ObjectNode range = sources.addObject();
      range.put("topic", p.topic());
      range.put("partition", p.partition());
      range.put("fromOffset", accounted.getOrDefault(p, offsets.first()));
      range.put("nextOffset", offsets.last() + 1);
      if (!duplicates.isEmpty()) {
        ArrayNode list = range.putArray("duplicates");
        duplicates.forEach((offset, seq) -> list.addObject().put("offset", offset).put("seq", seq));
      }
    }
    return sources;
  }

  /**
   * Reads a range's {@code duplicates} (null when it states none) and adds their offsets to {@code
   * explained}: each in order, inside {@code [from, next)}, not a {@code recorded} offset, and
   * naming a seq before {@code seq}.
   */
  static void readDuplicates(
      long seq,
      Partition p,
      JsonNode duplicates,
      long from,
      long next,
      Set<Long> recorded,
      Set<Long> explained)
      throws ChainException {
    if (duplicates != null) {
      if (!duplicates.isArray() || duplicates.isEmpty()) {
        throw invalid(seq, "'duplicates' of " + p + " is a non-empty array when present");
      }
      long last = -1;
      for (JsonNode duplicate : duplicates) {
        requireMembers(seq, duplicate, DUPLICATE_FIELDS, "a duplicate");
        long offset = offset(seq, duplicate, "offset");
        long of = offset(seq, duplicate, "seq");
        if (offset <= last || offset < from || offset >= next || recorded.contains(offset)) {
          throw invalid(
              seq,
              "duplicate offset "
                  + offset
                  + " of "
                  + p
                  + " is out of order, outside the range or recorded");
        }
        if (of >= seq) {
          throw invalid(seq, "duplicate offset " + offset + " names seq " + of + ", not earlier");
        }
        last = offset;
        explained.add(offset);
      }
    }
  }

  /** The runs of offsets in {@code [from, next)} that nothing in {@code explained} explains. */
  static List<SourceGap> unexplained(
      long seq, Partition p, long from, long next, SortedSet<Long> explained) {
    List<SourceGap> found = new ArrayList<>();
    long expected = from;
    Iterator<Long> offsets = explained.iterator();
    while (expected < next) {
      long upTo = offsets.hasNext() ? offsets.next() : next;
      if (upTo > expected) {
        found.add(new SourceGap(p.topic(), p.partition(), expected, upTo - 1, seq));
      }
      expected = upTo + 1;
    }
    return found;
  }

  /** Reads a range's partition, after checking it has only the members a range has. */
  static Partition partition(long seq, JsonNode range) throws ChainException {
    requireMembers(seq, range, RANGE_FIELDS, "a source range");
    JsonNode topic = range.get("topic");
    if (topic == null || !topic.isTextual() || topic.asText().isEmpty()) {
      throw invalid(seq, "a source range names its topic");
    }
    long partition = offset(seq, range, "partition");
    if (partition > Integer.MAX_VALUE) {
      throw invalid(seq, "a source range's partition is out of range");
    }
    return new Partition(topic.asText(), (int) partition);
  }

  private static void requireMembers(long seq, JsonNode node, Set<String> allowed, String what)
      throws ChainException {
    if (!node.isObject()) {
      throw invalid(seq, what + " is an object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw invalid(seq, what + " has no member '" + name + "'");
      }
    }
  }

  /** A member that must be a non-negative integer. */
  static long offset(long seq, JsonNode node, String field) throws ChainException {
    JsonNode value = node.get(field);
    if (value == null
        || !value.isIntegralNumber()
        || !value.canConvertToLong()
        || value.asLong() < 0) {
      throw invalid(seq, "'" + field + "' is a non-negative integer");
    }
    return value.asLong();
  }

  /** A short form of a set of offsets, for messages. */
  static String describe(SortedSet<Long> offsets) {
    return offsets.size() <= 5
        ? offsets.toString()
        : offsets.first() + ".." + offsets.last() + " (" + offsets.size() + ")";
  }

  /** The checkpoint at {@code seq} fails source accounting. */
  static ChainException invalid(long seq, String message) {
    return new ChainException(seq, Reason.SOURCE_ACCOUNTING_INVALID, message);
  }
}
