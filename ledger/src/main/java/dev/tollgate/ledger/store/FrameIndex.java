package dev.tollgate.ledger.store;

import dev.tollgate.ledger.store.FrameLog.CorruptFrameException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link FrameLog} with a {@link DiskHashTable} over it: frames found by key without holding
 * either in the heap. {@code <name>.bin} is the log (the documented data-directory file), {@code
 * <name>.idx} the table, a cache that is rebuilt from the log whenever it was not left consistent
 * with the committed length. Not thread-safe; owners synchronise.
 */
final class FrameIndex implements AutoCloseable {

  /** The keys a frame is found under, read back from the frame when the table is rebuilt. */
  @FunctionalInterface
  interface Keys {
    List<String> of(byte[] frame) throws CorruptFrameException;
  }

  private final FrameLog log;
  private final DiskHashTable table;
  private final Keys keys;

  private FrameIndex(FrameLog log, DiskHashTable table, Keys keys) {
    this.log = log;
    this.table = table;
    this.keys = keys;
  }

  static FrameIndex open(Path directory, String name, Keys keys) throws IOException {
    FrameLog log = FrameLog.open(directory.resolve(name + ".bin"));
    return new FrameIndex(log, DiskHashTable.open(directory.resolve(name + ".idx")), keys);
  }

  FrameLog log() {
    return log;
  }

  /** Bytes in the log. */
  long length() {
    return log.length();
  }

  /**
   * Cuts the log to its committed {@code length} and makes the table cover exactly that: kept when
   * it was left consistent at that length, rebuilt from the log otherwise.
   *
   * @throws CorruptFrameException when the log's frames do not read back
   */
  void load(long length) throws CorruptFrameException {
    log.truncate(length);
    if (table.clean() && table.covered() == length) {
      return;
    }
    table.clear();
    CorruptFrameException[] failure = new CorruptFrameException[1];
    log.forEach(
        length,
        (frame, position) -> {
          if (failure[0] != null) {
            return;
          }
          try {
            for (String key : keys.of(frame)) {
              table.put(key, position);
            }
          } catch (CorruptFrameException e) {
            failure[0] = e;
          }
        });
    if (failure[0] != null) {
      throw failure[0];
    }
    table.markClean(length);
  }

  /** Appends a frame under {@code frameKeys}; returns its position. */
  long append(byte[] frame, List<String> frameKeys) {
    long position = log.append(frame);
    for (String key : frameKeys) {
      table.put(key, position);
    }
    return position;
  }

  /** The frames added under keys hashing like {@code key}, in log order; callers compare keys. */
  List<byte[]> candidates(String key) throws CorruptFrameException {
    List<byte[]> frames = new ArrayList<>();
    long last = -1;
    for (long position : table.candidates(key)) {
      if (position != last) {
        frames.add(log.read(position));
        last = position;
      }
    }
    return frames;
  }

  /** Takes back the latest frames, from {@code length} on, added under the keys given for each. */
  void cut(long length, List<String> frameKeys, List<Long> positions) {
    for (int i = frameKeys.size() - 1; i >= 0; i--) {
      table.remove(frameKeys.get(i), positions.get(i));
    }
    log.truncate(length);
  }

  /** Writes the log out and marks the table consistent with it; returns the log's length. */
  long persist() {
    log.flush();
    table.markClean(log.length());
    return log.length();
  }

  /** Empties log and table. */
  void reset() {
    log.truncate(0);
    table.clear();
  }

  @Override
  public void close() {
    log.close();
    table.close();
  }
}
