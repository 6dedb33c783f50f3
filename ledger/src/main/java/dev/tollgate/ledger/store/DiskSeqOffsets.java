package dev.tollgate.ledger.store;

import dev.tollgate.ledger.store.DataDirState.InvalidStateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The data directory's {@link SeqOffsets}: {@code offsets.bin}, the big-endian 64-bit offset of seq
 * {@code n} at byte {@code 8n}. The latest offsets gather in a tail of {@link #TAIL} entries that
 * is written out when full and on every commit, so the heap holds at most that tail however long
 * the ledger or a recovery from the topic; older offsets are read back from the file (one
 * positional read, from the page cache once warm). What lies beyond the last commit is written over
 * or cut off, so it never counts: {@link #rollback} goes back to the last commit, and {@link #load}
 * cuts the file to the length the state names and refuses a file that is shorter or whose offsets
 * do not rise with seq.
 */
final class DiskSeqOffsets extends SeqOffsets implements AutoCloseable {

  static final String FILE = "offsets.bin";

  /** Offsets held in memory before they are written out: 64 KiB. */
  static final int TAIL = 8192;

  private static final int READ_BUFFER = 1 << 16;

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer tail = ByteBuffer.allocate(TAIL * Long.BYTES);

  /** Seqs whose offset is in the file, from 0. */
  private long written;

  /** Seqs with an offset: {@code written} plus those in the tail. */
  private long size;

  /** Seqs committed: the last {@link #persist} or {@link #load}; never more than written. */
  private long committed;

  /** The offset of seq {@code size - 1}, or -1. */
  private long last = -1;

  /** The offset of seq {@code committed - 1}, or -1. */
  private long committedLast = -1;

  private DiskSeqOffsets(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens {@code offsets.bin} in {@code directory}, empty until {@link #load}. */
  static DiskSeqOffsets open(Path directory) throws IOException {
    Path file = directory.resolve(FILE);
    return new DiskSeqOffsets(
        file,
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  @Override
  synchronized void add(long seq, long offset) {
    requireNext(size, last, seq, offset);
    tail.putLong(offset);
    size++;
    last = offset;
    if (!tail.hasRemaining()) {
      try {
        writeTail();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
  }

  @Override
  public synchronized long offset(long seq) {
    if (seq < 0 || seq >= size) {
      throw notAdded(seq, size);
    }
    if (seq >= written) {
      return tail.getLong((int) (seq - written) * Long.BYTES);
    }
    ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES);
    try {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, seq * Long.BYTES + buffer.position()) < 0) {
          throw damaged(file + " ends before seq " + seq + ", which it held");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    long offset = buffer.getLong(0);
    if (offset < 0) {
      throw damaged(file + " holds a negative offset for seq " + seq);
    }
    return offset;
  }

  @Override
  public synchronized long size() {
    return size;
  }

  /** Writes the tail out and counts every offset as committed; returns the committed bytes. */
  synchronized long persist() throws IOException {
    writeTail();
    committed = size;
    committedLast = last;
    return committed * Long.BYTES;
  }

  /** Forgets the offsets added since the last commit. */
  synchronized void rollback() {
    tail.clear();
    written = Math.min(written, committed);
    size = committed;
    last = committedLast;
  }

  /**
   * Takes the first {@code records} offsets of the file as committed and cuts off what follows.
   *
   * @throws InvalidStateException when the file is shorter than that, or its offsets do not rise
   *     strictly with seq from 0 up: it was cut or damaged, and the directory must be rebuilt
   */
  synchronized void load(long records) throws IOException, InvalidStateException {
    forget();
    long bytes = records * Long.BYTES;
    long held = channel.size();
    if (held < bytes) {
      throw new InvalidStateException(
          FILE + " holds " + held + " bytes, but its state counts " + records + " offsets");
    }
    channel.truncate(bytes);
    ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
    long previous = -1;
    long seq = 0;
    while (seq < records) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), (records - seq) * Long.BYTES));
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, seq * Long.BYTES + buffer.position()) < 0) {
          throw new InvalidStateException(FILE + " ends at seq " + seq);
        }
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        long offset = buffer.getLong();
        if (offset <= previous) {
          throw new InvalidStateException(
              FILE
                  + " is damaged: seq "
                  + seq
                  + " has offset "
                  + offset
                  + ", which does not follow offset "
                  + previous
                  + " of the seq before");
        }
        previous = offset;
        seq++;
      }
    }
    written = records;
    size = records;
    committed = records;
    last = previous;
    committedLast = previous;
  }

  /** Empties the file. */
  synchronized void reset() throws IOException {
    forget();
    channel.truncate(0);
  }

  private void forget() {
    tail.clear();
    written = 0;
    size = 0;
    committed = 0;
    last = -1;
    committedLast = -1;
  }

  private void writeTail() throws IOException {
    tail.flip();
    long position = written * Long.BYTES;
    while (tail.hasRemaining()) {
      position += channel.write(tail, position);
    }
    tail.clear();
    written = size;
  }

  private static IllegalStateException damaged(String why) {
    return new IllegalStateException(
        "the ledger data directory is damaged ("
            + why
            + "); stop the writer and delete it to rebuild it from the topic");
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Everything committed was written before; closing loses nothing.
    }
  }
}
