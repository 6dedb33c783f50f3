package dev.tollgate.ledger.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A multimap from string keys to positions in a frame log, kept in a memory-mapped file so that the
 * writer's heap does not grow with the ledger: open addressing with linear probing, 16 bytes a slot
 * (64 bits of the key's salted SHA-256, the position plus one), at most half full, doubled by
 * rewriting into a new file that replaces the old atomically. Only hashes are kept: a lookup
 * returns candidate positions, and the caller reads the frames there and compares the keys, so a
 * hash collision costs a read, never a wrong answer. The salt is random per table, so keys chosen
 * by whoever writes to a source topic cannot be made to pile up in one run of slots.
 *
 * <p>The header says whether the table was left consistent ({@link #markClean}) and how many bytes
 * of its log it covers; a table that was being changed when the process stopped is rebuilt by its
 * owner from the log. Not thread-safe; owners synchronise.
 */
final class DiskHashTable implements AutoCloseable {

  private static final int MAGIC = 0x544c4831; // "TLH1"
  private static final int HEADER = 64;
  private static final int SLOT = 16;
  private static final int CHUNK_SHIFT = 27; // 128 MiB a mapping, a whole number of slots
  private static final long CHUNK = 1L << CHUNK_SHIFT;
  private static final int MIN_CAPACITY = 1 << 12;
  private static final int SALT_BYTES = 16;

  private final Path file;
  private final byte[] salt;
  private final MessageDigest sha256;
  private FileChannel channel;
  private MappedByteBuffer header;
  private MappedByteBuffer[] chunks;
  private long capacity;
  private long count;
  private boolean dirty;

  private DiskHashTable(Path file, byte[] salt) {
    this.file = file;
    this.salt = salt.clone();
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Opens the table in {@code file}, creating an empty one (dirty, covering nothing) when the file
   * is missing or is not a table.
   */
  static DiskHashTable open(Path file) throws IOException {
    if (Files.exists(file)) {
      DiskHashTable existing = readExisting(file);
      if (existing != null) {
        return existing;
      }
    }
    byte[] salt = new byte[SALT_BYTES];
    new SecureRandom().nextBytes(salt);
    DiskHashTable created = new DiskHashTable(file, salt);
    created.create(file, MIN_CAPACITY);
    created.map(file);
    created.markDirty();
    return created;
  }

  private static DiskHashTable readExisting(Path file) throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      if (in.size() < HEADER) {
        return null;
      }
      ByteBuffer head = ByteBuffer.allocate(HEADER);
      while (head.hasRemaining() && in.read(head, head.position()) >= 0) {
        // read the whole header
      }
      head.flip();
      if (head.remaining() < HEADER || head.getInt(0) != MAGIC) {
        return null;
      }
      long slots = head.getLong(8);
      if (slots < MIN_CAPACITY || Long.bitCount(slots) != 1 || in.size() != HEADER + slots * SLOT) {
        return null;
      }
      byte[] salt = new byte[SALT_BYTES];
      head.get(40, salt);
      DiskHashTable table = new DiskHashTable(file, salt);
      table.map(file);
      return table;
    }
  }

  private void create(Path target, long slots) throws IOException {
    Files.deleteIfExists(target);
    try (FileChannel out =
        FileChannel.open(
            target,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(HEADER);
      head.putInt(0, MAGIC);
      head.putLong(8, slots);
      head.putLong(16, 0);
      head.putLong(24, 0);
      head.put(32, (byte) 1);
      head.put(40, salt);
      while (head.hasRemaining()) {
        out.write(head, head.position());
      }
      // A sparse file: slots read as zero, which is "empty".
      out.write(ByteBuffer.wrap(new byte[1]), HEADER + slots * SLOT - 1);
    }
  }

  private void map(Path source) throws IOException {
    channel = FileChannel.open(source, StandardOpenOption.READ, StandardOpenOption.WRITE);
    header = channel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER);
    capacity = header.getLong(8);
    count = header.getLong(16);
    dirty = header.get(32) != 0;
    long bytes = capacity * SLOT;
    int mappings = (int) ((bytes + CHUNK - 1) / CHUNK);
    chunks = new MappedByteBuffer[mappings];
    for (int i = 0; i < mappings; i++) {
      long start = i * CHUNK;
      chunks[i] =
          channel.map(
              FileChannel.MapMode.READ_WRITE, HEADER + start, Math.min(CHUNK, bytes - start));
    }
  }

  /** Entries held. */
  long count() {
    return count;
  }

  /** Whether the table was last left consistent by {@link #markClean}. */
  boolean clean() {
    return !dirty;
  }

  /** The length of the log the table covered when it was last marked clean. */
  long covered() {
    return header.getLong(24);
  }

  /** States that the table holds exactly the entries of the first {@code logLength} log bytes. */
  void markClean(long logLength) {
    header.putLong(16, count);
    header.putLong(24, logLength);
    header.put(32, (byte) 0);
    dirty = false;
  }

  private void markDirty() {
    if (!dirty) {
      header.put(32, (byte) 1);
      dirty = true;
    }
  }

  /** Adds {@code position} under {@code key}. */
  void put(String key, long position) {
    put(hash(key), position);
  }

  private void put(long keyHash, long position) {
    if (position < 0) {
      throw new IllegalArgumentException("negative position " + position);
    }
    markDirty();
    if ((count + 1) * 2 > capacity) {
      grow();
    }
    long slot = slotOf(keyHash);
    while (value(slot) != 0) {
      slot = (slot + 1) & (capacity - 1);
    }
    write(slot, keyHash, position + 1);
    count++;
  }

  /** The positions added under keys hashing like {@code key}, in the order they were added. */
  List<Long> candidates(String key) {
    long keyHash = hash(key);
    List<Long> found = new ArrayList<>(2);
    for (long slot = slotOf(keyHash); value(slot) != 0; slot = (slot + 1) & (capacity - 1)) {
      if (keyHash(slot) == keyHash) {
        found.add(value(slot) - 1);
      }
    }
    // Linear probing keeps the order of insertion along a run, except across removals, which
    // only take the latest entries: sorting by position restores log order.
    found.sort(null);
    return found;
  }

  /** Removes the entry {@code key} → {@code position}; false when there is none. */
  boolean remove(String key, long position) {
    long keyHash = hash(key);
    for (long slot = slotOf(keyHash); value(slot) != 0; slot = (slot + 1) & (capacity - 1)) {
      if (keyHash(slot) == keyHash && value(slot) == position + 1) {
        markDirty();
        deleteAt(slot);
        count--;
        return true;
      }
    }
    return false;
  }

  /** Backward-shift deletion: later entries of the run move up so no lookup stops early. */
  private void deleteAt(long slot) {
    long mask = capacity - 1;
    long hole = slot;
    long next = (hole + 1) & mask;
    while (value(next) != 0) {
      long home = slotOf(keyHash(next));
      // The entry at next may fill the hole unless its home lies cyclically in (hole, next].
      boolean stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!stays) {
        write(hole, keyHash(next), value(next));
        hole = next;
      }
      next = (next + 1) & mask;
    }
    write(hole, 0, 0);
  }

  /** Empties the table. */
  void clear() {
    rewrite(MIN_CAPACITY, false);
    markClean(0);
  }

  private void grow() {
    rewrite(capacity * 2, true);
  }

  private void rewrite(long slots, boolean keep) {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      DiskHashTable next = new DiskHashTable(temporary, salt);
      next.create(temporary, slots);
      next.map(temporary);
      if (keep) {
        for (long slot = 0; slot < capacity; slot++) {
          long value = value(slot);
          if (value != 0) {
            next.put(keyHash(slot), value - 1);
          }
        }
      }
      next.header.putLong(16, next.count);
      next.channel.close();
      channel.close();
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      map(file);
      markDirty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite the index table " + file, e);
    }
  }

  private long slotOf(long keyHash) {
    return keyHash & (capacity - 1);
  }

  private long keyHash(long slot) {
    return chunks[(int) (slot * SLOT >>> CHUNK_SHIFT)].getLong((int) (slot * SLOT & (CHUNK - 1)));
  }

  private long value(long slot) {
    long at = slot * SLOT + Long.BYTES;
    return chunks[(int) (at >>> CHUNK_SHIFT)].getLong((int) (at & (CHUNK - 1)));
  }

  private void write(long slot, long keyHash, long value) {
    long at = slot * SLOT;
    MappedByteBuffer chunk = chunks[(int) (at >>> CHUNK_SHIFT)];
    int offset = (int) (at & (CHUNK - 1));
    chunk.putLong(offset, keyHash);
    chunk.putLong(offset + Long.BYTES, value);
  }

  private long hash(String key) {
    sha256.update(salt);
    byte[] digest = sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(digest).getLong();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Mapped writes reach the file through the page cache; closing loses nothing.
    }
  }
}
