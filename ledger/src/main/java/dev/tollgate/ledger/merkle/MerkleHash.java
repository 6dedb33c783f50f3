package dev.tollgate.ledger.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 6962 / RFC 9162 section 2.1.1 hashing with SHA-256: leaves and interior nodes are hashed with
 * different one-byte prefixes, so a leaf can never pass for a node.
 */
public final class MerkleHash {

  /** Length of every hash in the tree, in bytes. */
  public static final int SIZE = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;
  private static final byte[] EMPTY_ROOT = sha256().digest();

  private MerkleHash() {}

  /** {@code SHA-256(0x00 || leaf)}. */
  public static byte[] leaf(byte[] leaf) {
    MessageDigest digest = sha256();
    digest.update(LEAF_PREFIX);
    digest.update(leaf);
    return digest.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] node(byte[] left, byte[] right) {
    MessageDigest digest = sha256();
    digest.update(NODE_PREFIX);
    digest.update(left);
    digest.update(right);
    return digest.digest();
  }

  /** The root of the empty tree: {@code SHA-256()} of nothing. */
  public static byte[] emptyRoot() {
    return EMPTY_ROOT.clone();
  }

  static byte[] requireHash(byte[] hash, String what) {
    if (hash == null || hash.length != SIZE) {
      throw new IllegalArgumentException(what + " must be a 32-byte SHA-256 hash");
    }
    return hash;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
