package dev.tollgate.ledger.store;

/**
 * The ledger topic offset of each record by seq: transaction markers (and anything else written to
 * the topic) take offsets too, so seq and offset differ. The writer fetches an entry from Kafka by
 * its offset instead of keeping it in memory. Offsets rise strictly with seq, since the ledger
 * topic is one partition the writer appends to in seq order. Two kinds: {@link #inMemory()} for a
 * writer without a data directory (8 bytes of heap per record), and the data directory's own
 * ({@link LedgerDataDir#emptyOffsets()}, {@link StoredLedger#offsets()}), which keeps them in its
 * {@code offsets.bin} and holds only a bounded tail in memory. Thread-safe: the writer adds, HTTP
 * threads read the offsets of committed records.
 */
public abstract sealed class SeqOffsets permits InMemorySeqOffsets, DiskSeqOffsets {

  SeqOffsets() {}

  /** Offsets held in memory, for a writer that keeps no data directory. */
  public static SeqOffsets inMemory() {
    return new InMemorySeqOffsets();
  }

  /**
   * Records {@code offset} for {@code seq}, which must be the next seq.
   *
   * @throws IllegalArgumentException when {@code seq} is not the next one or {@code offset} does
   *     not follow the last one: both bugs, the writer adds what the topic holds, in order
   */
  abstract void add(long seq, long offset);

  /**
   * The offset of this seq, which must have been added.
   *
   * @throws IllegalArgumentException when no offset was added for {@code seq}
   * @throws IllegalStateException when the data directory's file cannot be read back as it was
   *     written (it was changed or cut under the writer)
   */
  public abstract long offset(long seq);

  /** The number of seqs with an offset. */
  public abstract long size();

  /** The rule {@link #add} enforces, for both kinds. */
  static void requireNext(long size, long last, long seq, long offset) {
    if (seq != size) {
      throw new IllegalArgumentException(
          "offsets are recorded for " + size + " records, not for seq " + seq);
    }
    if (offset < 0 || (size > 0 && offset <= last)) {
      throw new IllegalArgumentException(
          "offset " + offset + " of seq " + seq + " does not follow offset " + last);
    }
  }

  static IllegalArgumentException notAdded(long seq, long size) {
    return new IllegalArgumentException(
        "no offset recorded for seq " + seq + " (" + size + " recorded)");
  }
}
