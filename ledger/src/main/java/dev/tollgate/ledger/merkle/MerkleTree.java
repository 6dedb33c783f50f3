package dev.tollgate.ledger.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An RFC 6962 / RFC 9162 Merkle tree over the ledger's records, grown one leaf at a time, that
 * answers roots, inclusion proofs and consistency proofs for any size up to its own.
 *
 * <p>Appending costs O(1) amortised and O(log n) at worst: the leaf hash plus the hash of every
 * perfect subtree the leaf completes. A root or a proof for size {@code n} reads O(log n) stored
 * hashes: every subtree the RFC algorithms ask for is either perfect (one stored hash) or a suffix
 * of the tree of size {@code n}, and those suffixes are folded once per request from the O(log n)
 * perfect subtrees that make up the tree.
 *
 * <p>Thread-safe: one writer appends and truncates while any number of readers ask for roots and
 * proofs of sizes it has (readers of a size below the last truncation point are never disturbed).
 */
public final class MerkleTree {

  private final HashStore store;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /** A tree over the hashes already in {@code store}, which it then owns. */
  public MerkleTree(HashStore store) {
    this.store = store;
  }

  /** An empty tree in memory. */
  public static MerkleTree inMemory() {
    return new MerkleTree(new InMemoryHashStore());
  }

  /** Number of leaves. */
  public long size() {
    lock.readLock().lock();
    try {
      return store.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Appends a leaf by its bytes; returns its leaf index. */
  public long append(byte[] leaf) {
    return appendLeafHash(MerkleHash.leaf(leaf));
  }

  /** Appends a leaf by its leaf hash; returns its leaf index. */
  public long appendLeafHash(byte[] leafHash) {
    MerkleHash.requireHash(leafHash, "leafHash");
    lock.writeLock().lock();
    try {
      long index = store.size();
      List<byte[]> nodes = new ArrayList<>();
      byte[] hash = leafHash.clone();
      nodes.add(hash);
      // Every trailing 1 bit of the index closes a perfect subtree with its left sibling.
      for (int level = 0; ((index >> level) & 1) == 1; level++) {
        hash = MerkleHash.node(store.get(level, (index >> level) - 1), hash);
        nodes.add(hash);
      }
      store.append(nodes);
      return index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Shrinks the tree back to {@code size} leaves (an aborted append). */
  public void truncate(long size) {
    lock.writeLock().lock();
    try {
      store.truncate(size);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The leaf hash at this index. */
  public byte[] leafHash(long index) {
    lock.readLock().lock();
    try {
      requireRange(index, 0, store.size() - 1, "leaf index");
      return store.get(0, index);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The root hash of the tree's first {@code size} leaves (RFC 9162 section 2.1.1). */
  public byte[] rootHash(long size) {
    lock.readLock().lock();
    try {
      requireRange(size, 0, store.size(), "tree size");
      if (size == 0) {
        return MerkleHash.emptyRoot();
      }
      return new Fringe(size).hashFrom(0);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The inclusion proof of leaf {@code index} in the tree of {@code size} leaves (RFC 9162 section
   * 2.1.3.1): sibling hashes from the leaf's up to the root's child.
   */
  public List<byte[]> inclusionProof(long index, long size) {
    lock.readLock().lock();
    try {
      requireRange(size, 1, store.size(), "tree size");
      requireRange(index, 0, size - 1, "leaf index");
      List<byte[]> proof = new ArrayList<>();
      path(index, 0, size, new Fringe(size), proof);
      return proof;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The consistency proof from the tree of {@code from} leaves to the tree of {@code to} leaves
   * (RFC 9162 section 2.1.4.1); empty when {@code from} is 0 or equals {@code to}.
   */
  public List<byte[]> consistencyProof(long from, long to) {
    lock.readLock().lock();
    try {
      requireRange(to, 0, store.size(), "tree size");
      requireRange(from, 0, to, "earlier tree size");
      List<byte[]> proof = new ArrayList<>();
      if (from > 0 && from < to) {
        subproof(from, 0, to, true, new Fringe(to), proof);
      }
      return proof;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** PATH(m, D[start:start+n]), appended to {@code proof}. */
  private void path(long m, long start, long n, Fringe fringe, List<byte[]> proof) {
    if (n == 1) {
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m < k) {
      path(m, start, k, fringe, proof);
      proof.add(fringe.hash(start + k, start + n));
    } else {
      path(m - k, start + k, n - k, fringe, proof);
      proof.add(fringe.hash(start, start + k));
    }
  }

  /** SUBPROOF(m, D[start:start+n], b), appended to {@code proof}. */
  private void subproof(
      long m, long start, long n, boolean complete, Fringe fringe, List<byte[]> proof) {
    if (m == n) {
      if (!complete) {
        proof.add(fringe.hash(start, start + n));
      }
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m <= k) {
      subproof(m, start, k, complete, fringe, proof);
      proof.add(fringe.hash(start + k, start + n));
    } else {
      subproof(m - k, start + k, n - k, false, fringe, proof);
      proof.add(fringe.hash(start, start + k));
    }
  }

  private static void requireRange(long value, long min, long max, String what) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          what + " " + value + " is outside [" + min + ", " + max + "]");
    }
  }

  /**
   * The tree of one size as the perfect subtrees it is made of (one per 1 bit of the size, largest
   * first), with the hash of every suffix of them: the only subtrees the RFC algorithms need that
   * are not perfect.
   */
  private final class Fringe {
    private final long size;
    private final long[] starts;
    private final byte[][] suffixHashes;

    Fringe(long size) {
      this.size = size;
      int pieces = Long.bitCount(size);
      starts = new long[pieces];
      byte[][] perfect = new byte[pieces][];
      long start = 0;
      int piece = 0;
      for (int level = 63; level >= 0; level--) {
        if (((size >> level) & 1) == 1) {
          starts[piece] = start;
          perfect[piece] = store.get(level, start >> level);
          start += 1L << level;
          piece++;
        }
      }
      suffixHashes = new byte[pieces][];
      suffixHashes[pieces - 1] = perfect[pieces - 1];
      for (int i = pieces - 2; i >= 0; i--) {
        suffixHashes[i] = MerkleHash.node(perfect[i], suffixHashes[i + 1]);
      }
    }

    /** MTH of leaves {@code [start, end)}, a range the RFC recursion produces. */
    byte[] hash(long start, long end) {
      long length = end - start;
      if (Long.bitCount(length) == 1 && start % length == 0) {
        return store.get(Long.numberOfTrailingZeros(length), start / length);
      }
      if (end != size) {
        throw new IllegalStateException("[" + start + ", " + end + ") is not a subtree");
      }
      return hashFrom(start);
    }

    /** MTH of leaves {@code [start, size)}, where {@code start} begins one of the pieces. */
    byte[] hashFrom(long start) {
      for (int i = 0; i < starts.length; i++) {
        if (starts[i] == start) {
          return suffixHashes[i].clone();
        }
      }
      throw new IllegalStateException(
          "no subtree of the tree of size " + size + " starts at " + start);
    }
  }
}
