package dev.tollgate.ledger.writer;

import java.util.Arrays;

/**
 * The ledger topic offset of each record by seq: transaction markers take offsets too, so seq and
 * offset differ. 8 bytes per record, so the service fetches an entry from Kafka instead of keeping
 * it in memory. Thread-safe.
 */
public final class SeqOffsets {

  private long[] offsets = new long[1024];
  private long size;

  /** Records the offset of the next seq. */
  synchronized void add(long offset) {
    if (size == offsets.length) {
      offsets = Arrays.copyOf(offsets, Math.toIntExact(Math.min(Integer.MAX_VALUE - 8, size * 2)));
    }
    offsets[(int) size++] = offset;
  }

  /** The offset of this seq, which must have been added. */
  public synchronized long offset(long seq) {
    if (seq < 0 || seq >= size) {
      throw new IllegalArgumentException("no offset recorded for seq " + seq);
    }
    return offsets[(int) seq];
  }

  public synchronized long size() {
    return size;
  }
}
