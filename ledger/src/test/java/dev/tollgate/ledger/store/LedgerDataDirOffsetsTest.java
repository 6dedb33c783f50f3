package dev.tollgate.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ledger.append.AppendStep;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's topic offsets are kept in its data directory, not in its heap (issue 17, section 5):
 * what the writer's state committed reads back the same after a restart, and an offsets file that
 * was cut or damaged makes the directory unusable, with the reason, so the writer rebuilds it from
 * the topic instead of serving entries from the wrong offsets.
 */
class LedgerDataDirOffsetsTest {

  private static final String LEDGER = "tollgate.ledger.v1";
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private final LedgerSigner signer = TestKeys.signer();
  private final AppendStep step =
      new AppendStep(
          signer,
          signer,
          List.of(),
          new CheckpointPolicy(CheckpointPolicy.defaultOrigin(LEDGER), 1000, Duration.ofHours(1)),
          EventKeys.trust(),
          Clock.fixed(NOW, ZoneOffset.UTC));

  @TempDir Path directory;

  @Test
  void load_afterCommits_readsEachRecordsTopicOffset() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      LedgerState state = fresh(dataDir);
      commit(state, 0, 3);
      commit(state, 3, 2);
      assertThat(offsets(state.offsets(), 5)).containsExactly(1L, 3L, 5L, 8L, 10L);
    }

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      StoredLedger stored = dataDir.load().orElseThrow();

      assertThat(stored.offsets().size()).isEqualTo(5);
      assertThat(offsets(stored.offsets(), 5)).containsExactly(1L, 3L, 5L, 8L, 10L);
      // The restarted writer goes on from there, with the same directory's offsets.
      LedgerState state = resumed(dataDir, stored);
      commit(state, 5, 1);
      assertThat(state.offsets().offset(5)).isEqualTo(12L);
    }
  }

  @Test
  void load_offsetsDamaged_isRefusedWithTheReasonAndTheDirectoryEmptied() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      commit(fresh(dataDir), 0, 3);
    }
    // Seq 1's offset overwritten with seq 0's.
    try (FileChannel file = FileChannel.open(offsetsFile(), StandardOpenOption.WRITE)) {
      file.write(ByteBuffer.allocate(Long.BYTES).putLong(0, 1L), Long.BYTES);
    }

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      assertThatThrownBy(dataDir::load)
          .isInstanceOf(IOException.class)
          .hasMessage(
              "unusable ledger data in "
                  + directory
                  + ": offsets.bin is damaged: seq 1 has offset 1, which does not follow offset 1"
                  + " of the seq before");

      assertThat(Files.exists(directory.resolve("state.json"))).isFalse();
      assertThat(dataDir.load()).isEmpty();
    }
  }

  @Test
  void load_offsetsCut_isRefusedWithTheReason() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      commit(fresh(dataDir), 0, 3);
    }
    try (FileChannel file = FileChannel.open(offsetsFile(), StandardOpenOption.WRITE)) {
      file.truncate(2 * Long.BYTES);
    }

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      assertThatThrownBy(dataDir::load)
          .isInstanceOf(IOException.class)
          .hasMessageEndingWith(": offsets.bin holds 16 bytes, but its state counts 3 offsets");
      assertThat(dataDir.load()).isEmpty();
    }
  }

  @Test
  void newLedgerState_withADataDirButOtherOffsets_isABug() throws Exception {
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      assertThat(dataDir.load()).isEmpty();
      LedgerVerifier chain = verifier(dataDir);
      LedgerIndex index = dataDir.emptyIndex();

      assertThatThrownBy(
              () -> new LedgerState(chain, SeqOffsets.inMemory(), index, Optional.of(dataDir)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("with a data directory, the offsets must be its own");
    }
  }

  private static List<Long> offsets(SeqOffsets offsets, int size) {
    List<Long> read = new ArrayList<>();
    for (long seq = 0; seq < size; seq++) {
      read.add(offsets.offset(seq));
    }
    return read;
  }

  private Path offsetsFile() {
    return directory.resolve("offsets.bin");
  }

  private LedgerVerifier verifier(LedgerDataDir dataDir) {
    return LedgerVerifier.trusting(
        List.of(signer.publicKey()),
        Optional.of(CheckpointPolicy.defaultOrigin(LEDGER)),
        dataDir.tree(),
        dataDir.recordedEvents());
  }

  private LedgerState fresh(LedgerDataDir dataDir) throws Exception {
    assertThat(dataDir.load()).isEmpty();
    return new LedgerState(
        verifier(dataDir), dataDir.emptyOffsets(), dataDir.emptyIndex(), Optional.of(dataDir));
  }

  private LedgerState resumed(LedgerDataDir dataDir, StoredLedger stored) {
    LedgerVerifier chain =
        LedgerVerifier.resuming(
            stored.head(),
            stored.keysInForce(),
            stored.eventIds(),
            Optional.of(CheckpointPolicy.defaultOrigin(LEDGER)),
            dataDir.tree(),
            stored.checkpoint(),
            stored.checkpointKey(),
            stored.checkpointCount(),
            stored.sourceAccounting());
    return new LedgerState(chain, stored.offsets(), stored.index(), Optional.of(dataDir));
  }

  /**
   * Appends {@code count} triggers from seq {@code first} as one committed transaction, each record
   * at offset {@code 2 * seq + 1 + seq / 3}: the topic's transaction markers take offsets too.
   */
  private void commit(LedgerState state, int first, int count) throws Exception {
    List<SourceEvent> events = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      events.add(Chains.trigger("t" + i, i));
    }
    StagedBatch batch = step.append(state.chain(), events, NOW);
    state.apply(
        batch,
        batch.records().stream().map(StagedRecord::seq).map(s -> 2 * s + 1 + s / 3).toList());
    assertThat(state.persist()).isTrue();
  }
}
