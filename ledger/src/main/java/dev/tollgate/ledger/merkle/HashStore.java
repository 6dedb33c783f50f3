package dev.tollgate.ledger.merkle;

import java.util.List;

/**
 * Where a {@link MerkleTree} keeps its hashes: the hash of every perfect subtree, addressed by
 * level (0 for leaves) and index within the level, so node {@code (level, index)} covers leaves
 * {@code [index << level, (index + 1) << level)}. Appending a leaf adds its hash and the hash of
 * each subtree it completes, so a store only ever grows at the end of each level, which suits an
 * append-only file as well as memory.
 *
 * <p>Implementations need not be thread-safe; {@link MerkleTree} serialises access.
 */
public interface HashStore {

  /** Number of leaves stored. */
  long size();

  /**
   * Stores leaf number {@link #size()}: {@code nodes.get(0)} is its leaf hash and {@code
   * nodes.get(l)} the hash of the level-{@code l} subtree it completes, node {@code (l, size >>
   * l)}.
   */
  void append(List<byte[]> nodes);

  /** The hash of node {@code (level, index)}, which must be complete within {@link #size()}. */
  byte[] get(int level, long index);

  /** Forgets every leaf from {@code size} on, and every subtree that covered one of them. */
  void truncate(long size);
}
