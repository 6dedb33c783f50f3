package dev.tollgate.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.RecordedEvent;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.Chains;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's data directory keeps, per recorded event, whether it was authenticated: a restart
 * must still let a verified event be recorded after an unauthenticated copy of it.
 */
class LedgerDataDirEventIdsTest {

  private static final String LEDGER = "tollgate.ledger.v1";
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @TempDir Path directory;

  @Test
  void load_afterCommit_keepsWhetherEachEventWasAuthenticated() throws Exception {
    LedgerSigner signer = TestKeys.signer();
    SourceEvent event = Chains.trigger("t1", 0);
    byte[] forged =
        RecordBuilder.build(
            ChainHead.EMPTY,
            EventKeys.unsigned(event),
            EventKeys.trust().authenticate(EventKeys.unsigned(event)),
            NOW,
            signer);
    ChainHead head = ChainHead.EMPTY.append(LedgerRecord.recordHash(Chains.tree(forged)));
    byte[] genuine =
        RecordBuilder.build(
            head,
            RecordBuilder.prepare(Chains.trigger("t1", 1)),
            EventKeys.genuine(event),
            NOW,
            signer,
            0L);
    head = head.append(LedgerRecord.recordHash(Chains.tree(genuine)));

    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      dataDir.tree().append(forged);
      dataDir.tree().append(genuine);
      dataDir.add(0, 0, forged);
      dataDir.add(1, 1, genuine);
      dataDir.commit(
          head,
          List.of(signer.publicKey()),
          Optional.empty(),
          Optional.empty(),
          0,
          SourceAccounting.State.empty());
    }
    StoredLedger stored;
    try (LedgerDataDir dataDir = LedgerDataDir.open(directory, LEDGER)) {
      stored = dataDir.load().orElseThrow();
    }

    assertThat(stored.eventIds())
        .extracting(RecordedEvent::seq, RecordedEvent::authenticated)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0L, false),
            org.assertj.core.groups.Tuple.tuple(1L, true));
  }
}
