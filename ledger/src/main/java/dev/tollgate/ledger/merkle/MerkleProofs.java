package dev.tollgate.ledger.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies inclusion and consistency proofs exactly as RFC 9162 sections 2.1.3.2 and 2.1.4.2
 * describe, with nothing but the hashes: what an auditor runs. Any malformed input (a hash of the
 * wrong length, a size out of range, a proof of the wrong length) simply does not verify.
 */
public final class MerkleProofs {

  private MerkleProofs() {}

  /**
   * Whether {@code proof} shows the leaf with hash {@code leafHash} at {@code index} in the tree of
   * {@code size} leaves whose root is {@code root}.
   */
  public static boolean inclusionVerifies(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
    if (index < 0 || index >= size || !isHash(leafHash) || !isHash(root) || !allHashes(proof)) {
      return false;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.node(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = MerkleHash.node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }

  /**
   * Whether {@code proof} shows that the tree of {@code size1} leaves with root {@code root1} is a
   * prefix of the tree of {@code size2} leaves with root {@code root2}. Equal sizes need equal
   * roots and an empty proof; the empty tree (whose root must be the empty root) is a prefix of any
   * tree.
   */
  public static boolean consistencyVerifies(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2) {
    if (size1 < 0 || size2 < size1 || !isHash(root1) || !isHash(root2) || !allHashes(proof)) {
      return false;
    }
    if (size1 == size2) {
      return proof.isEmpty() && MessageDigest.isEqual(root1, root2);
    }
    if (size1 == 0) {
      return proof.isEmpty() && MessageDigest.isEqual(root1, MerkleHash.emptyRoot());
    }
    if (proof.isEmpty()) {
      return false;
    }
    List<byte[]> path = new ArrayList<>(proof);
    if (Long.bitCount(size1) == 1) {
      path.add(0, root1);
    }
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHash.node(c, fr);
        sr = MerkleHash.node(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = MerkleHash.node(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, root1) && MessageDigest.isEqual(sr, root2);
  }

  private static boolean isHash(byte[] hash) {
    return hash != null && hash.length == MerkleHash.SIZE;
  }

  private static boolean allHashes(List<byte[]> hashes) {
    if (hashes == null) {
      return false;
    }
    for (byte[] hash : hashes) {
      if (!isHash(hash)) {
        return false;
      }
    }
    return true;
  }
}
