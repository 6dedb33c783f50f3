package dev.tollgate.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk hash table under the writer's event ids and links. */
class DiskHashTableTest {

  @TempDir Path directory;

  @Test
  void put_beyondHalfFull_growsAndKeepsEveryEntry() throws Exception {
    try (DiskHashTable table = DiskHashTable.open(directory.resolve("t.idx"))) {
      for (int i = 0; i < 20_000; i++) {
        table.put("key-" + i, i);
      }
      table.put("key-7", 99_999);

      assertThat(table.count()).isEqualTo(20_001);
      assertThat(table.candidates("key-7")).containsExactly(7L, 99_999L);
      assertThat(table.candidates("key-19999")).containsExactly(19_999L);
      assertThat(table.candidates("absent")).isEmpty();
    }
  }

  @Test
  void remove_latestEntries_leavesEveryOtherFindable() throws Exception {
    try (DiskHashTable table = DiskHashTable.open(directory.resolve("t.idx"))) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        keys.add("key-" + i);
        table.put("key-" + i, i);
      }
      for (int i = 1499; i >= 1000; i--) {
        assertThat(table.remove(keys.get(i), i)).isTrue();
      }

      assertThat(table.remove("key-1200", 1200)).isFalse();
      for (int i = 0; i < 1500; i++) {
        assertThat(table.candidates(keys.get(i)))
            .as(keys.get(i))
            .isEqualTo(i < 1000 ? List.of((long) i) : List.of());
      }
    }
  }

  @Test
  void open_afterMarkClean_keepsEntriesAndCoverage() throws Exception {
    Path file = directory.resolve("t.idx");
    try (DiskHashTable table = DiskHashTable.open(file)) {
      table.put("a", 10);
      table.markClean(42);
    }
    try (DiskHashTable table = DiskHashTable.open(file)) {
      assertThat(table.clean()).isTrue();
      assertThat(table.covered()).isEqualTo(42);
      assertThat(table.candidates("a")).containsExactly(10L);
      table.put("b", 11);
    }
    try (DiskHashTable table = DiskHashTable.open(file)) {
      // Changed after the last clean mark: its owner rebuilds it.
      assertThat(table.clean()).isFalse();
    }
  }
}
