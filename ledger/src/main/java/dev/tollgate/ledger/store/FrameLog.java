package dev.tollgate.ledger.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.ObjLongConsumer;

/**
 * An append-only file of frames, each a big-endian 32-bit length and that many bytes, addressed by
 * the position of its length. Appends gather in a buffer written out once it holds {@link
 * #FLUSH_BYTES} or on {@link #flush}, so the heap holds at most that much of the log; frames are
 * readable at their position before and after. Bytes past the length the data directory's state
 * names are cut off on open, so what the log holds beyond a commit never counts. Not thread-safe.
 */
final class FrameLog implements AutoCloseable {

  /** Appended bytes held in memory before they are written out. */
  static final int FLUSH_BYTES = 1 << 20;

  /** The longest frame a log accepts: frames are small JSON objects. */
  static final int MAX_FRAME = 1 << 20;

  private final Path file;
  private final FileChannel channel;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private long written;

  private FrameLog(Path file, FileChannel channel, long written) {
    this.file = file;
    this.channel = channel;
    this.written = written;
  }

  static FrameLog open(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new FrameLog(file, channel, channel.size());
  }

  Path file() {
    return file;
  }

  /** Bytes in the log, written or not. */
  long length() {
    return written + pending.size();
  }

  /** Appends a frame; returns its position. */
  long append(byte[] frame) {
    if (frame.length > MAX_FRAME) {
      throw new IllegalArgumentException("a frame of " + frame.length + " bytes is too long");
    }
    long position = length();
    pending.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(frame.length).array());
    pending.writeBytes(frame);
    if (pending.size() >= FLUSH_BYTES) {
      flush();
    }
    return position;
  }

  /** Writes out what is buffered. */
  void flush() {
    if (pending.size() == 0) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.wrap(pending.toByteArray());
    try {
      long position = written;
      while (buffer.hasRemaining()) {
        position += channel.write(buffer, position);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    written += pending.size();
    pending.reset();
  }

  /**
   * The frame at {@code position}.
   *
   * @throws CorruptFrameException when no whole frame starts there
   */
  byte[] read(long position) throws CorruptFrameException {
    if (position < 0 || position + Integer.BYTES > length()) {
      throw new CorruptFrameException(file + " has no frame at " + position);
    }
    if (position >= written) {
      byte[] tail = pending.toByteArray();
      int at = (int) (position - written);
      int size = ByteBuffer.wrap(tail, at, Integer.BYTES).getInt();
      if (size < 0 || at + Integer.BYTES + (long) size > tail.length) {
        throw new CorruptFrameException(file + " has a frame at " + position + " that overruns it");
      }
      return Arrays.copyOfRange(tail, at + Integer.BYTES, at + Integer.BYTES + size);
    }
    try {
      ByteBuffer size = ByteBuffer.allocate(Integer.BYTES);
      readFully(size, position);
      int length = size.getInt(0);
      if (length < 0 || length > MAX_FRAME || position + Integer.BYTES + length > written) {
        throw new CorruptFrameException(file + " has a frame at " + position + " that overruns it");
      }
      ByteBuffer frame = ByteBuffer.allocate(length);
      readFully(frame, position + Integer.BYTES);
      return frame.array();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private void readFully(ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException(file + " ends early");
      }
    }
  }

  /**
   * Hands every frame of the first {@code length} bytes, with its position, to {@code each}, in
   * order, streaming: the log is never read whole into memory.
   *
   * @throws CorruptFrameException when those bytes do not end on a frame boundary
   */
  void forEach(long length, ObjLongConsumer<byte[]> each) throws CorruptFrameException {
    flush();
    long position = 0;
    while (position < length) {
      byte[] frame = read(position);
      if (position + Integer.BYTES + frame.length > length) {
        throw new CorruptFrameException(file + " ends in a cut-off frame");
      }
      each.accept(frame, position);
      position += Integer.BYTES + frame.length;
    }
  }

  /** Cuts the log to {@code length} bytes. */
  void truncate(long length) {
    if (length > length()) {
      throw new IllegalArgumentException("cannot cut " + file + " to more than it holds");
    }
    if (length >= written) {
      byte[] kept = Arrays.copyOf(pending.toByteArray(), (int) (length - written));
      pending.reset();
      pending.writeBytes(kept);
      return;
    }
    pending.reset();
    try {
      channel.truncate(length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot cut " + file, e);
    }
    written = length;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Whatever was flushed is in the file; the rest was never committed.
    }
  }

  /** A position that holds no whole frame: the log or its index is damaged. */
  static final class CorruptFrameException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptFrameException(String message) {
      super(message);
    }
  }
}
