package dev.tollgate.ledger.checkpoint;

/**
 * Offsets of a source topic partition inside a range a checkpoint accounts for that no record and
 * no stated duplicate explains. From the ledger alone they are either offsets without a data record
 * (a transactional producer's commit or abort markers, records of aborted transactions) or events
 * the writer skipped; only the source topic can tell which.
 *
 * @param topic the source topic
 * @param partition its partition
 * @param firstOffset the first unexplained offset
 * @param lastOffset the last unexplained offset of this run
 * @param checkpointSeq the seq of the checkpoint whose range holds them
 */
public record SourceGap(
    String topic, int partition, long firstOffset, long lastOffset, long checkpointSeq) {

  public SourceGap {
    if (topic == null || topic.isEmpty() || partition < 0 || firstOffset < 0) {
      throw new IllegalArgumentException("a gap names a topic, a partition and offsets");
    }
    if (lastOffset < firstOffset) {
      throw new IllegalArgumentException("a gap ends at or after its first offset");
    }
  }

  /** How many offsets it spans. */
  public long size() {
    return lastOffset - firstOffset + 1;
  }

  /** {@code topic/partition offsets first..last (checkpoint seq s)}. */
  public String describe() {
    return topic
        + "/"
        + partition
        + " offset"
        + (firstOffset == lastOffset ? " " + firstOffset : "s " + firstOffset + ".." + lastOffset)
        + " (range of the checkpoint at seq "
        + checkpointSeq
        + ")";
  }
}
