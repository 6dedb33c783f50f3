package dev.tollgate.ledger.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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

  /**
   * The offsets kept in the first {@code bytes} bytes of a file of big-endian 64-bit offsets, one
   * per seq; fewer when the file ends early.
   */
  static SeqOffsets read(FileChannel file, long bytes) throws IOException {
    SeqOffsets read = new SeqOffsets();
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(bytes, 1 << 20));
    for (long position = 0; position < bytes; ) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), bytes - position));
      while (buffer.hasRemaining()) {
        if (file.read(buffer, position + buffer.position()) < 0) {
          return read;
        }
      }
      buffer.flip();
      while (buffer.remaining() >= Long.BYTES) {
        read.add(buffer.getLong());
      }
      position += buffer.limit();
    }
    return read;
  }
}
