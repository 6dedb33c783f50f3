package dev.tollgate.ledger.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.port.LedgerSession;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.store.LedgerState;
import dev.tollgate.ledger.store.SeqOffsets;
import dev.tollgate.ledger.testing.InMemoryLedgerPort;
import dev.tollgate.ledger.testing.LogCapture;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.writer.LedgerWriter;
import dev.tollgate.ledger.writer.WriterSettings;
import dev.tollgate.ledger.writer.WriterState;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted writer takes each record's topic offset from its data directory (issue 17, section 5:
 * offsets on disk, not in the heap) and finds the same offsets the topic holds, transaction markers
 * in between; an offsets file damaged while the writer was down is not trusted: the recovery says
 * why and rebuilds the directory from the topic.
 */
class LedgerRecoveryOffsetsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String TRIGGERS = "tollgate.triggers.v1";
  private static final String LEDGER = "tollgate.ledger.v1";
  private static final String ORIGIN = CheckpointPolicy.defaultOrigin(LEDGER);

  @TempDir Path tmp;

  private final LedgerSigner signer = TestKeys.signer();
  private final InMemoryLedgerPort port =
      new InMemoryLedgerPort(Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER));
  private LogCapture log;
  private Path dataDir;

  @BeforeEach
  void writeALedger() {
    log = LogCapture.ledger();
    dataDir = tmp.resolve("data");
    WriterSettings settings =
        new WriterSettings(
            "unused:9092",
            Map.of(TRIGGERS, LedgerRecord.Kind.TRIGGER),
            LEDGER,
            "tollgate-ledger",
            "tollgate-ledger-writer",
            Duration.ofMillis(20),
            Duration.ofMillis(20),
            new CheckpointPolicy(ORIGIN, 3, Duration.ofHours(1)),
            Optional.of(dataDir));
    LedgerWriter writer = new LedgerWriter(settings, port, signer, List.of(), Clock.systemUTC());
    try {
      writer.start();
      // One transaction per send: each commit's marker takes an offset, so offsets and seqs differ.
      for (String id : List.of("a", "b", "c", "d")) {
        port.send(TRIGGERS, List.of(id));
        int commits = port.commits();
        await().atMost(WAIT).until(() -> port.commits() > commits);
      }
      // Everything on the topic is in the data directory too before the writer stops.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  writer.committed().map(c -> c.size()).orElse(-1L) == port.ledgerValues().size());
      assertThat(writer.state()).isEqualTo(WriterState.WRITING);
    } finally {
      writer.close();
    }
  }

  @AfterEach
  void closeLog() {
    log.close();
  }

  @Test
  void recover_withTheDataDir_readsOnlyTheKeptHeadAndFindsEveryOffsetTheTopicHolds()
      throws Exception {
    List<Long> topic = topicOffsets();
    assertThat(topic).hasSizeGreaterThan(4);
    assertThat(topic.get(topic.size() - 1)).isGreaterThan(topic.size() - 1L);

    try (LedgerRecovery recovery = recovery();
        LedgerSession session = port.open()) {
      LedgerState state = recovered(recovery.recover(session));

      assertThat(recovery.reads()).isEqualTo(1);
      assertThat(offsets(state.offsets())).isEqualTo(topic);
    }
  }

  @Test
  void recover_offsetsFileDamaged_rebuildsItFromTheTopicAndSaysWhy() throws Exception {
    List<Long> topic = topicOffsets();
    try (FileChannel file =
        FileChannel.open(dataDir.resolve("offsets.bin"), StandardOpenOption.WRITE)) {
      file.write(ByteBuffer.allocate(Long.BYTES).putLong(0, topic.get(0)), Long.BYTES);
    }

    try (LedgerRecovery recovery = recovery();
        LedgerSession session = port.open()) {
      LedgerState state = recovered(recovery.recover(session));

      assertThat(log.warnings("offsets.bin is damaged: seq 1 has offset " + topic.get(0)))
          .hasSize(1);
      assertThat(recovery.reads()).isEqualTo(topic.size());
      assertThat(offsets(state.offsets())).isEqualTo(topic);
      assertThat(state.persist()).isTrue();
    }

    // Rebuilt whole: the next start reads only the kept head again.
    try (LedgerRecovery recovery = recovery();
        LedgerSession session = port.open()) {
      LedgerState state = recovered(recovery.recover(session));

      assertThat(recovery.reads()).isEqualTo(1);
      assertThat(offsets(state.offsets())).isEqualTo(topic);
    }
  }

  private LedgerRecovery recovery() {
    return new LedgerRecovery(Optional.of(dataDir), LEDGER, ORIGIN, List.of(signer.publicKey()));
  }

  private static LedgerState recovered(LedgerRecovery.Result result) {
    assertThat(result).isInstanceOf(LedgerRecovery.Recovered.class);
    return ((LedgerRecovery.Recovered) result).state();
  }

  /** The offset of every ledger record on the topic, in seq order. */
  private List<Long> topicOffsets() throws Exception {
    List<Long> offsets = new ArrayList<>();
    try (LedgerSession session = port.open()) {
      session.readLedger(0, (offset, value) -> offsets.add(offset));
    }
    return offsets;
  }

  private static List<Long> offsets(SeqOffsets offsets) {
    List<Long> read = new ArrayList<>();
    for (long seq = 0; seq < offsets.size(); seq++) {
      read.add(offsets.offset(seq));
    }
    return read;
  }
}
