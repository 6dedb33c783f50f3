package dev.tollgate.ledger.append;

import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The offsets of one source topic partition that one transaction consumes, first to last. The
 * transaction commits {@code lastOffset + 1} as the partition's position; an aborted one rewinds
 * the partition to {@code firstOffset}, which is where the previous transaction left it.
 *
 * @param topic the source topic
 * @param partition its partition
 * @param firstOffset the first offset consumed
 * @param lastOffset the last offset consumed
 */
public record SourceRange(String topic, int partition, long firstOffset, long lastOffset) {

  public SourceRange {
    if (topic == null || topic.isEmpty() || partition < 0 || firstOffset < 0) {
      throw new IllegalArgumentException("a source range names a topic, a partition and offsets");
    }
    if (lastOffset < firstOffset) {
      throw new IllegalArgumentException("a source range ends at or after its first offset");
    }
  }

  /** The offset the partition's consumer position moves to once the range is committed. */
  public long nextOffset() {
    return lastOffset + 1;
  }

  /**
   * The ranges these events cover, one per partition in the order the partitions first appear. The
   * events of one partition come in offset order, as a consumer delivers them.
   */
  public static List<SourceRange> of(List<SourceEvent> events) {
    Map<String, SourceRange> ranges = new LinkedHashMap<>();
    for (SourceEvent event : events) {
      LedgerRecord.SourcePosition at = event.source();
      ranges.merge(
          at.topic() + "\n" + at.partition(),
          new SourceRange(at.topic(), at.partition(), at.offset(), at.offset()),
          (first, now) ->
              new SourceRange(first.topic, first.partition, first.firstOffset, now.lastOffset));
    }
    return List.copyOf(new ArrayList<>(ranges.values()));
  }
}
