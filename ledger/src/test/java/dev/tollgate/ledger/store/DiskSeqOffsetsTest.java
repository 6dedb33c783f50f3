package dev.tollgate.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.store.DataDirState.InvalidStateException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic offsets of the writer's records live in its data directory's {@code offsets.bin}, with
 * only a bounded tail in the heap (issue 17, section 5): every offset reads back the same from the
 * tail, from the file, after a rollback and after a restart, and a file that was cut or whose
 * offsets do not rise with seq is refused with the reason, so the directory is rebuilt.
 */
class DiskSeqOffsetsTest {

  /** Enough records that two tails were written out and a third is partly held. */
  private static final int RECORDS = 2 * DiskSeqOffsets.TAIL + 5;

  @TempDir Path directory;

  /** As on the ledger topic: each transaction's marker takes an offset after its records. */
  private static long offsetOf(long seq) {
    return 3 * seq + seq / 7 + 1;
  }

  @Test
  void offset_acrossTheTailAndTheFile_readsEveryOffsetAdded() throws Exception {
    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      for (long seq = 0; seq < RECORDS; seq++) {
        offsets.add(seq, offsetOf(seq));
      }

      // The heap holds only the last partial tail; the two full ones are already in the file.
      assertThat(Files.size(file())).isEqualTo(2L * DiskSeqOffsets.TAIL * Long.BYTES);
      assertThat(offsets.size()).isEqualTo(RECORDS);
      for (long seq = 0; seq < RECORDS; seq++) {
        assertThat(offsets.offset(seq)).as("seq %d", seq).isEqualTo(offsetOf(seq));
      }
      assertThatThrownBy(() -> offsets.offset(RECORDS))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no offset recorded for seq " + RECORDS);
    }
  }

  @Test
  void load_afterPersistAndReopen_readsTheSameOffsetsAndGoesOn() throws Exception {
    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      for (long seq = 0; seq < RECORDS; seq++) {
        offsets.add(seq, offsetOf(seq));
      }
      assertThat(offsets.persist()).isEqualTo((long) RECORDS * Long.BYTES);
    }

    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      offsets.load(RECORDS);

      assertThat(offsets.size()).isEqualTo(RECORDS);
      for (long seq = 0; seq < RECORDS; seq++) {
        assertThat(offsets.offset(seq)).as("seq %d", seq).isEqualTo(offsetOf(seq));
      }
      // The next offset must follow the last one loaded, as it did before the restart.
      assertThatThrownBy(() -> offsets.add(RECORDS, offsetOf(RECORDS - 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not follow offset " + offsetOf(RECORDS - 1));
      offsets.add(RECORDS, offsetOf(RECORDS));
      assertThat(offsets.offset(RECORDS)).isEqualTo(offsetOf(RECORDS));
    }
  }

  @Test
  void load_ofLessThanTheFileHolds_cutsOffWhatWasNeverCommitted() throws Exception {
    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      for (long seq = 0; seq < RECORDS; seq++) {
        offsets.add(seq, offsetOf(seq));
      }
      offsets.persist();
    }

    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      offsets.load(10);

      assertThat(offsets.size()).isEqualTo(10);
      assertThat(Files.size(file())).isEqualTo(10L * Long.BYTES);
      assertThatThrownBy(() -> offsets.offset(10)).isInstanceOf(IllegalArgumentException.class);
      offsets.add(10, offsetOf(10));
      assertThat(offsets.offset(10)).isEqualTo(offsetOf(10));
    }
  }

  @Test
  void rollback_afterTailsWereWrittenOut_forgetsEveryOffsetSinceTheCommit() throws Exception {
    long committed = 100;
    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      for (long seq = 0; seq < committed; seq++) {
        offsets.add(seq, offsetOf(seq));
      }
      offsets.persist();
      // A recovery or transaction that fails after more than a tail was written out.
      for (long seq = committed; seq < RECORDS; seq++) {
        offsets.add(seq, offsetOf(seq) + 1_000_000);
      }

      offsets.rollback();

      assertThat(offsets.size()).isEqualTo(committed);
      assertThatThrownBy(() -> offsets.offset(committed))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(offsets.offset(committed - 1)).isEqualTo(offsetOf(committed - 1));
      // What follows the commit is written again over what the rollback forgot.
      for (long seq = committed; seq < RECORDS; seq++) {
        offsets.add(seq, offsetOf(seq));
      }
      offsets.persist();
    }

    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      offsets.load(RECORDS);
      for (long seq = 0; seq < RECORDS; seq++) {
        assertThat(offsets.offset(seq)).as("seq %d", seq).isEqualTo(offsetOf(seq));
      }
    }
  }

  @Test
  void load_ofACutFile_isRefusedSayingHowMuchItHolds() throws Exception {
    persist(RECORDS);
    try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
      channel.truncate((long) RECORDS * Long.BYTES - 3);
    }

    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      assertThatThrownBy(() -> offsets.load(RECORDS))
          .isInstanceOf(InvalidStateException.class)
          .hasMessage(
              "offsets.bin holds "
                  + ((long) RECORDS * Long.BYTES - 3)
                  + " bytes, but its state counts "
                  + RECORDS
                  + " offsets");
    }
  }

  @Test
  void load_ofOffsetsThatDoNotRise_isRefusedNamingTheSeq() throws Exception {
    persist(RECORDS);
    long damaged = DiskSeqOffsets.TAIL + 3;
    overwrite(damaged, offsetOf(damaged - 1));

    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      assertThatThrownBy(() -> offsets.load(RECORDS))
          .isInstanceOf(InvalidStateException.class)
          .hasMessage(
              "offsets.bin is damaged: seq "
                  + damaged
                  + " has offset "
                  + offsetOf(damaged - 1)
                  + ", which does not follow offset "
                  + offsetOf(damaged - 1)
                  + " of the seq before");
    }
  }

  @Test
  void load_ofANegativeFirstOffset_isRefused() throws Exception {
    persist(3);
    overwrite(0, -5);

    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      assertThatThrownBy(() -> offsets.load(3))
          .isInstanceOf(InvalidStateException.class)
          .hasMessageContaining("seq 0 has offset -5");
    }
  }

  @Test
  void offset_ofAFileCutUnderTheWriter_failsSayingTheDirectoryIsDamaged() throws Exception {
    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      for (long seq = 0; seq < 10; seq++) {
        offsets.add(seq, offsetOf(seq));
      }
      offsets.persist();
      try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
        channel.truncate(4 * Long.BYTES);
      }

      assertThat(offsets.offset(3)).isEqualTo(offsetOf(3));
      assertThatThrownBy(() -> offsets.offset(7))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ledger data directory is damaged")
          .hasMessageContaining("ends before seq 7");
    }
  }

  @Test
  void add_outOfOrder_isABug() throws Exception {
    for (SeqOffsets offsets : new SeqOffsets[] {SeqOffsets.inMemory(), open()}) {
      offsets.add(0, 4);

      assertThatThrownBy(() -> offsets.add(2, 9))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offsets are recorded for 1 records, not for seq 2");
      assertThatThrownBy(() -> offsets.add(1, 4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("offset 4 of seq 1 does not follow offset 4");
      offsets.add(1, 5);
      assertThat(offsets.offset(1)).isEqualTo(5);
      if (offsets instanceof DiskSeqOffsets disk) {
        disk.close();
      }
    }
  }

  private DiskSeqOffsets open() throws Exception {
    return DiskSeqOffsets.open(directory);
  }

  private void persist(long records) throws Exception {
    try (DiskSeqOffsets offsets = DiskSeqOffsets.open(directory)) {
      for (long seq = 0; seq < records; seq++) {
        offsets.add(seq, offsetOf(seq));
      }
      offsets.persist();
    }
  }

  private void overwrite(long seq, long offset) throws Exception {
    try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.allocate(Long.BYTES).putLong(0, offset), seq * Long.BYTES);
    }
  }

  private Path file() {
    return directory.resolve(DiskSeqOffsets.FILE);
  }
}
