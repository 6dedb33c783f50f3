package dev.tollgate.ledger.store;

import java.util.Arrays;

/** {@link SeqOffsets} in the heap, 8 bytes per record. */
final class InMemorySeqOffsets extends SeqOffsets {

  private long[] offsets = new long[1024];
  private long size;

  @Override
  synchronized void add(long seq, long offset) {
    requireNext(size, size == 0 ? -1 : offsets[(int) size - 1], seq, offset);
    if (size == offsets.length) {
      offsets = Arrays.copyOf(offsets, Math.toIntExact(Math.min(Integer.MAX_VALUE - 8, size * 2)));
    }
    offsets[(int) size++] = offset;
  }

  @Override
  public synchronized long offset(long seq) {
    if (seq < 0 || seq >= size) {
      throw notAdded(seq, size);
    }
    return offsets[(int) seq];
  }

  @Override
  public synchronized long size() {
    return size;
  }
}
