package dev.tollgate.ledger.merkle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link HashStore} on local disk, in a plain format any tool can read: one file per tree level,
 * {@code level-00.hashes} for the leaf hashes, {@code level-01.hashes} for the hashes of pairs of
 * leaves and so on, each the concatenation of that level's 32-byte SHA-256 hashes in index order
 * and nothing else. Node {@code (level, index)} is at byte {@code 32 * index} of its level's file.
 *
 * <p>A proof or root of a tree of {@code n} leaves reads O(log n) hashes, each one positional read
 * (served from the page cache once warm), so proofs stay fast at any size. Appending writes the
 * leaf hash and the hashes of the subtrees it completes (two writes per leaf on average).
 *
 * <p>The leaf file is the truth: on open, a torn trailing hash is cut off, and every higher level
 * is cut to, or recomputed up to, what the leaves say, so a process killed in the middle of an
 * append leaves a store that opens correctly. Not thread-safe; {@link MerkleTree} serialises
 * access.
 */
public final class FileHashStore implements HashStore, AutoCloseable {

  private static final int MAX_LEVELS = 64;

  private final Path directory;
  private final List<FileChannel> levels = new ArrayList<>();
  private final List<Long> counts = new ArrayList<>();
  private long size;

  private FileHashStore(Path directory) {
    this.directory = directory;
  }

  /** Opens the store in {@code directory}, creating an empty one when there is none. */
  public static FileHashStore open(Path directory) throws IOException {
    Files.createDirectories(directory);
    FileHashStore store = new FileHashStore(directory);
    boolean loaded = false;
    try {
      store.load();
      loaded = true;
    } finally {
      if (!loaded) {
        store.close();
      }
    }
    return store;
  }

  /** The file holding one level's hashes. */
  public static Path levelFile(Path directory, int level) {
    return directory.resolve(String.format(java.util.Locale.ROOT, "level-%02d.hashes", level));
  }

  private void load() throws IOException {
    FileChannel leaves = channel(0);
    long leafCount = leaves.size() / MerkleHash.SIZE;
    leaves.truncate(leafCount * MerkleHash.SIZE);
    size = leafCount;
    counts.set(0, leafCount);
    for (int level = 1; level < MAX_LEVELS; level++) {
      long expected = leafCount >> level;
      Path file = levelFile(directory, level);
      if (expected == 0 && !Files.exists(file)) {
        break;
      }
      FileChannel channel = channel(level);
      long stored = Math.min(channel.size() / MerkleHash.SIZE, expected);
      channel.truncate(stored * MerkleHash.SIZE);
      counts.set(level, stored);
      // A kill between the leaf and its parents leaves parents missing: recompute them.
      for (long index = stored; index < expected; index++) {
        write(
            level,
            index,
            MerkleHash.node(get(level - 1, 2 * index), get(level - 1, 2 * index + 1)));
      }
    }
  }

  private FileChannel channel(int level) throws IOException {
    while (levels.size() <= level) {
      int next = levels.size();
      levels.add(
          FileChannel.open(
              levelFile(directory, next),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE));
      counts.add(levels.get(next).size() / MerkleHash.SIZE);
    }
    return levels.get(level);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void append(List<byte[]> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("appending a leaf stores at least its leaf hash");
    }
    try {
      for (int level = 0; level < nodes.size(); level++) {
        channel(level);
        if (counts.get(level) != size >> level) {
          throw new IllegalStateException(
              "node (" + level + ", " + (size >> level) + ") is not next");
        }
        write(level, size >> level, MerkleHash.requireHash(nodes.get(level), "a node hash"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the hash store in " + directory, e);
    }
    size++;
  }

  private void write(int level, long index, byte[] hash) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(hash);
    long position = index * MerkleHash.SIZE;
    while (buffer.hasRemaining()) {
      position += channel(level).write(buffer, position);
    }
    counts.set(level, index + 1);
  }

  @Override
  public byte[] get(int level, long index) {
    if (level < 0 || level >= levels.size() || index < 0 || index >= counts.get(level)) {
      throw new IllegalArgumentException("no node (" + level + ", " + index + ") in the store");
    }
    byte[] hash = new byte[MerkleHash.SIZE];
    ByteBuffer buffer = ByteBuffer.wrap(hash);
    long position = index * MerkleHash.SIZE;
    try {
      while (buffer.hasRemaining()) {
        int read = levels.get(level).read(buffer, position + buffer.position());
        if (read < 0) {
          throw new IllegalStateException(
              "level " + level + " of the hash store in " + directory + " ends early");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the hash store in " + directory, e);
    }
    return hash;
  }

  @Override
  public void truncate(long newSize) {
    if (newSize < 0 || newSize > size) {
      throw new IllegalArgumentException("cannot truncate " + size + " leaves to " + newSize);
    }
    try {
      for (int level = 0; level < levels.size(); level++) {
        long count = Math.min(counts.get(level), newSize >> level);
        levels.get(level).truncate(count * MerkleHash.SIZE);
        counts.set(level, count);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot truncate the hash store in " + directory, e);
    }
    size = newSize;
  }

  /** Forces every write to the storage device. */
  public void sync() throws IOException {
    for (FileChannel channel : levels) {
      channel.force(false);
    }
  }

  @Override
  public void close() {
    for (FileChannel channel : levels) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing a file we only appended to loses nothing that was written.
      }
    }
    levels.clear();
  }
}
