package dev.tollgate.ledger.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tree on disk answers exactly what the tree in memory answers, across reopening and kills. */
class FileHashStoreTest {

  @TempDir Path dir;

  private static byte[] leaf(int i) {
    return ("leaf " + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void rootsAndProofs_everySizeUpTo70_equalTheInMemoryTree() throws IOException {
    MerkleTree memory = MerkleTree.inMemory();
    try (FileHashStore store = FileHashStore.open(dir)) {
      MerkleTree disk = new MerkleTree(store);
      for (int i = 0; i < 70; i++) {
        memory.append(leaf(i));
        disk.append(leaf(i));
        long size = i + 1;
        assertThat(disk.rootHash(size)).isEqualTo(memory.rootHash(size));
        for (long m = 0; m < size; m += 7) {
          assertThat(disk.inclusionProof(m, size))
              .containsExactlyElementsOf(memory.inclusionProof(m, size));
          assertThat(disk.consistencyProof(m, size))
              .containsExactlyElementsOf(memory.consistencyProof(m, size));
        }
      }
    }
  }

  @Test
  void open_afterClose_keepsEveryLeafAndRoot() throws IOException {
    MerkleTree memory = MerkleTree.inMemory();
    try (FileHashStore store = FileHashStore.open(dir)) {
      MerkleTree disk = new MerkleTree(store);
      for (int i = 0; i < 37; i++) {
        memory.append(leaf(i));
        disk.append(leaf(i));
      }
    }
    try (FileHashStore reopened = FileHashStore.open(dir)) {
      MerkleTree disk = new MerkleTree(reopened);
      assertThat(disk.size()).isEqualTo(37);
      assertThat(disk.rootHash(37)).isEqualTo(memory.rootHash(37));
      assertThat(disk.inclusionProof(20, 37))
          .containsExactlyElementsOf(memory.inclusionProof(20, 37));
      memory.append(leaf(37));
      disk.append(leaf(37));
      assertThat(disk.rootHash(38)).isEqualTo(memory.rootHash(38));
    }
    assertThat(Files.size(FileHashStore.levelFile(dir, 0))).isEqualTo(38L * MerkleHash.SIZE);
    assertThat(Files.size(FileHashStore.levelFile(dir, 1))).isEqualTo(19L * MerkleHash.SIZE);
  }

  @Test
  void open_killedMidAppend_cutsTornHashAndRecomputesMissingParents() throws IOException {
    MerkleTree memory = MerkleTree.inMemory();
    try (FileHashStore store = FileHashStore.open(dir)) {
      MerkleTree disk = new MerkleTree(store);
      for (int i = 0; i < 15; i++) {
        memory.append(leaf(i));
        disk.append(leaf(i));
      }
    }
    // Leaf 15 completes subtrees on levels 1 to 4: write only the leaf hash, as a process killed
    // right after it would leave it, then half of the next leaf hash.
    memory.append(leaf(15));
    try (FileChannel leaves =
        FileChannel.open(FileHashStore.levelFile(dir, 0), StandardOpenOption.WRITE)) {
      leaves.write(ByteBuffer.wrap(MerkleHash.leaf(leaf(15))), 15L * MerkleHash.SIZE);
      leaves.write(ByteBuffer.wrap(new byte[16]), 16L * MerkleHash.SIZE);
    }

    try (FileHashStore reopened = FileHashStore.open(dir)) {
      MerkleTree disk = new MerkleTree(reopened);
      assertThat(disk.size()).isEqualTo(16);
      assertThat(disk.rootHash(16)).isEqualTo(memory.rootHash(16));
      assertThat(reopened.get(4, 0)).isEqualTo(memory.rootHash(16));
    }
  }

  @Test
  void truncate_thenAppendOther_rootsFollowTheNewLeaves() throws IOException {
    MerkleTree memory = MerkleTree.inMemory();
    try (FileHashStore store = FileHashStore.open(dir)) {
      MerkleTree disk = new MerkleTree(store);
      for (int i = 0; i < 12; i++) {
        disk.append(leaf(i));
      }
      disk.truncate(5);
      for (int i = 0; i < 5; i++) {
        memory.append(leaf(i));
      }
      for (int i = 100; i < 110; i++) {
        memory.append(leaf(i));
        disk.append(leaf(i));
      }
      assertThat(disk.size()).isEqualTo(15);
      assertThat(disk.rootHash(15)).isEqualTo(memory.rootHash(15));
      assertThat(disk.rootHash(9)).isEqualTo(memory.rootHash(9));
    }
  }
}
