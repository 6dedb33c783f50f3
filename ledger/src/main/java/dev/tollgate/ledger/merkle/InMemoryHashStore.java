package dev.tollgate.ledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link HashStore} in memory: per level, hashes packed into fixed-size byte-array chunks, about
 * 64 bytes per leaf in all (the leaf hash plus its share of the interior nodes).
 */
public final class InMemoryHashStore implements HashStore {

  private static final int HASHES_PER_CHUNK = 4096;
  private static final int CHUNK_BYTES = HASHES_PER_CHUNK * MerkleHash.SIZE;

  private final List<Level> levels = new ArrayList<>();
  private long size;

  @Override
  public long size() {
    return size;
  }

  @Override
  public void append(List<byte[]> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("appending a leaf stores at least its leaf hash");
    }
    for (int level = 0; level < nodes.size(); level++) {
      if (level == levels.size()) {
        levels.add(new Level());
      }
      Level stored = levels.get(level);
      if (stored.count != size >> level) {
        throw new IllegalStateException(
            "node (" + level + ", " + (size >> level) + ") is not next");
      }
      stored.add(MerkleHash.requireHash(nodes.get(level), "a node hash"));
    }
    size++;
  }

  @Override
  public byte[] get(int level, long index) {
    if (level < 0 || level >= levels.size() || index < 0 || index >= levels.get(level).count) {
      throw new IllegalArgumentException("no node (" + level + ", " + index + ") in the store");
    }
    return levels.get(level).get(index);
  }

  @Override
  public void truncate(long newSize) {
    if (newSize < 0 || newSize > size) {
      throw new IllegalArgumentException("cannot truncate " + size + " leaves to " + newSize);
    }
    for (int level = 0; level < levels.size(); level++) {
      levels.get(level).truncate(newSize >> level);
    }
    size = newSize;
  }

  /** One level's hashes, in order. */
  private static final class Level {
    private final List<byte[]> chunks = new ArrayList<>();
    private long count;

    void add(byte[] hash) {
      int chunk = (int) (count / HASHES_PER_CHUNK);
      if (chunk == chunks.size()) {
        chunks.add(new byte[CHUNK_BYTES]);
      }
      System.arraycopy(
          hash,
          0,
          chunks.get(chunk),
          (int) (count % HASHES_PER_CHUNK) * MerkleHash.SIZE,
          hash.length);
      count++;
    }

    byte[] get(long index) {
      byte[] hash = new byte[MerkleHash.SIZE];
      System.arraycopy(
          chunks.get((int) (index / HASHES_PER_CHUNK)),
          (int) (index % HASHES_PER_CHUNK) * MerkleHash.SIZE,
          hash,
          0,
          MerkleHash.SIZE);
      return hash;
    }

    void truncate(long newCount) {
      count = Math.min(count, newCount);
      int chunksNeeded = (int) ((count + HASHES_PER_CHUNK - 1) / HASHES_PER_CHUNK);
      while (chunks.size() > chunksNeeded) {
        chunks.remove(chunks.size() - 1);
      }
    }
  }
}
