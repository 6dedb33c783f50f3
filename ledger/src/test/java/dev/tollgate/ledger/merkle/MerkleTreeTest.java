package dev.tollgate.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tree and the RFC 9162 verifiers against published RFC 6962 vectors and each other. */
class MerkleTreeTest {

  private static final HexFormat HEX = HexFormat.of();

  // Leaf inputs, roots for tree sizes 0..8, and the proofs below: transparency-dev/merkle,
  // testonly/constants.go (LeafInputs, RootHashes; commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1)
  // and testonly/reference_test.go (TestRefInclusionProof, TestRefConsistencyProof; commit
  // 141d627eab770a7e9a2514f46a8b6338e6d90874), https://github.com/transparency-dev/merkle.
  private static final String[] LEAVES = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"
  };
  private static final String[] ROOTS = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
  };

  /** index, size, proof hashes. */
  private static final Object[][] INCLUSION = {
    {0L, 1L, new String[] {}},
    {0L, 2L, new String[] {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"}},
    {1L, 2L, new String[] {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"}},
    {2L, 3L, new String[] {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {
      1L,
      5L,
      new String[] {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
      }
    },
    {
      0L,
      8L,
      new String[] {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
      }
    },
    {
      5L,
      8L,
      new String[] {
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
      }
    }
  };

  /** size1, size2, proof hashes. */
  private static final Object[][] CONSISTENCY = {
    {1L, 1L, new String[] {}},
    {
      1L,
      8L,
      new String[] {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
      }
    },
    {
      2L,
      5L,
      new String[] {
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
      }
    },
    {
      6L,
      8L,
      new String[] {
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
      }
    }
  };

  @Test
  void rootHash_publishedLeaves_matchesPublishedRootForEverySize() {
    MerkleTree tree = vectorTree();

    for (int size = 0; size <= LEAVES.length; size++) {
      assertThat(HEX.formatHex(tree.rootHash(size)))
          .as("root of size %d", size)
          .isEqualTo(ROOTS[size]);
    }
  }

  @Test
  void inclusionProof_publishedCases_matchesAndVerifies() {
    MerkleTree tree = vectorTree();

    for (Object[] vector : INCLUSION) {
      long index = (Long) vector[0];
      long size = (Long) vector[1];
      List<byte[]> proof = tree.inclusionProof(index, size);

      assertThat(hex(proof))
          .as("proof %d in %d", index, size)
          .containsExactly((String[]) vector[2]);
      assertThat(
              MerkleProofs.inclusionVerifies(
                  index,
                  size,
                  MerkleHash.leaf(HEX.parseHex(LEAVES[(int) index])),
                  unhex((String[]) vector[2]),
                  HEX.parseHex(ROOTS[(int) size])))
          .isTrue();
    }
  }

  @Test
  void consistencyProof_publishedCases_matchesAndVerifies() {
    MerkleTree tree = vectorTree();

    for (Object[] vector : CONSISTENCY) {
      long size1 = (Long) vector[0];
      long size2 = (Long) vector[1];
      List<byte[]> proof = tree.consistencyProof(size1, size2);

      assertThat(hex(proof))
          .as("proof %d to %d", size1, size2)
          .containsExactly((String[]) vector[2]);
      assertThat(
              MerkleProofs.consistencyVerifies(
                  size1,
                  size2,
                  unhex((String[]) vector[2]),
                  HEX.parseHex(ROOTS[(int) size1]),
                  HEX.parseHex(ROOTS[(int) size2])))
          .isTrue();
    }
  }

  @Test
  void proofs_randomTrees_everyProofVerifiesAndEveryTamperedOneFails() {
    Random random = new Random(6962);
    for (int round = 0; round < 12; round++) {
      int size = 1 + random.nextInt(round < 6 ? 40 : 300);
      List<byte[]> leaves = new ArrayList<>();
      MerkleTree tree = MerkleTree.inMemory();
      for (int i = 0; i < size; i++) {
        byte[] leaf = new byte[random.nextInt(20)];
        random.nextBytes(leaf);
        leaves.add(leaf);
        tree.append(leaf);
      }
      for (long m = 0; m <= size; m++) {
        assertThat(tree.rootHash(m)).isEqualTo(referenceRoot(leaves.subList(0, (int) m)));
      }
      byte[] root = tree.rootHash(size);
      for (long index = 0; index < size; index++) {
        byte[] leafHash = MerkleHash.leaf(leaves.get((int) index));
        List<byte[]> proof = tree.inclusionProof(index, size);
        assertThat(MerkleProofs.inclusionVerifies(index, size, leafHash, proof, root)).isTrue();
        assertThat(
                MerkleProofs.inclusionVerifies(
                    index, size, leafHash, tampered(proof, random), root))
            .as("tampered inclusion proof %d in %d", index, size)
            .isFalse();
        assertThat(MerkleProofs.inclusionVerifies(index, size, flip(leafHash, 0), proof, root))
            .isFalse();
        if (size > 1) {
          assertThat(
                  MerkleProofs.inclusionVerifies((index + 1) % size, size, leafHash, proof, root))
              .as("proof for another index")
              .isFalse();
        }
      }
      for (long from = 0; from <= size; from++) {
        long to = from + random.nextInt((int) (size - from) + 1);
        List<byte[]> proof = tree.consistencyProof(from, to);
        byte[] root1 = tree.rootHash(from);
        byte[] root2 = tree.rootHash(to);
        assertThat(MerkleProofs.consistencyVerifies(from, to, proof, root1, root2))
            .as("consistency %d to %d", from, to)
            .isTrue();
        if (!proof.isEmpty()) {
          assertThat(
                  MerkleProofs.consistencyVerifies(from, to, tampered(proof, random), root1, root2))
              .as("tampered consistency %d to %d", from, to)
              .isFalse();
        }
        if (from > 0 && from < to) {
          assertThat(MerkleProofs.consistencyVerifies(from, to, proof, flip(root1, 31), root2))
              .isFalse();
          assertThat(MerkleProofs.consistencyVerifies(from, to, proof, root1, flip(root2, 5)))
              .isFalse();
        }
      }
    }
  }

  @Test
  void truncate_afterAbortedAppends_rootsAndProofsAreAsBefore() {
    MerkleTree tree = vectorTree();
    MerkleTree five = MerkleTree.inMemory();
    for (int i = 0; i < 5; i++) {
      five.append(HEX.parseHex(LEAVES[i]));
    }

    tree.truncate(5);
    five.append(HEX.parseHex("ff"));
    five.truncate(5);

    assertThat(tree.size()).isEqualTo(5);
    assertThat(HEX.formatHex(tree.rootHash(5))).isEqualTo(ROOTS[5]);
    assertThat(HEX.formatHex(five.rootHash(5))).isEqualTo(ROOTS[5]);
    tree.append(HEX.parseHex(LEAVES[5]));
    assertThat(HEX.formatHex(tree.rootHash(6))).isEqualTo(ROOTS[6]);
  }

  @Test
  void consistencyVerifies_emptyProofBetweenDifferentSizes_isRejected() {
    assertThat(
            MerkleProofs.consistencyVerifies(
                3, 8, List.of(), HEX.parseHex(ROOTS[3]), HEX.parseHex(ROOTS[8])))
        .isFalse();
    assertThat(
            MerkleProofs.consistencyVerifies(
                0, 8, List.of(), HEX.parseHex(ROOTS[0]), HEX.parseHex(ROOTS[8])))
        .isTrue();
  }

  @Test
  void inclusionProof_indexOutsideTree_isRejected() {
    MerkleTree tree = vectorTree();

    assertThatThrownBy(() -> tree.inclusionProof(8, 8))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tree.inclusionProof(0, 9))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(MerkleProofs.inclusionVerifies(8, 8, new byte[32], List.of(), new byte[32]))
        .isFalse();
  }

  private static MerkleTree vectorTree() {
    MerkleTree tree = MerkleTree.inMemory();
    for (String leaf : LEAVES) {
      tree.append(HEX.parseHex(leaf));
    }
    return tree;
  }

  /** MTH straight from RFC 9162 section 2.1.1, recursively, for cross-checking. */
  private static byte[] referenceRoot(List<byte[]> leaves) {
    if (leaves.isEmpty()) {
      return MerkleHash.emptyRoot();
    }
    if (leaves.size() == 1) {
      return MerkleHash.leaf(leaves.get(0));
    }
    int k = Integer.highestOneBit(leaves.size() - 1);
    return MerkleHash.node(
        referenceRoot(leaves.subList(0, k)), referenceRoot(leaves.subList(k, leaves.size())));
  }

  private static List<byte[]> tampered(List<byte[]> proof, Random random) {
    List<byte[]> copy = new ArrayList<>(proof);
    if (copy.isEmpty()) {
      copy.add(new byte[32]);
      return copy;
    }
    int i = random.nextInt(copy.size());
    copy.set(i, flip(copy.get(i), random.nextInt(32)));
    return copy;
  }

  private static byte[] flip(byte[] hash, int index) {
    byte[] copy = hash.clone();
    copy[index] ^= 0x01;
    return copy;
  }

  private static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(HEX::formatHex).toList();
  }

  private static List<byte[]> unhex(String[] hashes) {
    return List.of(hashes).stream().map(HEX::parseHex).toList();
  }
}
