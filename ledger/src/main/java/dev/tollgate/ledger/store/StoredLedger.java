package dev.tollgate.ledger.store;

import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordedEvents;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.index.LedgerIndex;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link LedgerDataDir} held when it was opened: enough to resume verifying the chain after
 * its head without reading the records before it again.
 *
 * @param head the committed head
 * @param keysInForce the keys that may sign the record after the head
 * @param eventIds every source-event record up to the head (event id, seq, payload digest), on disk
 * @param checkpoint the last checkpoint, verified again on load
 * @param checkpointKey the key that signed it
 * @param checkpointCount the checkpoint records up to the head
 * @param offsets the topic offset of every record up to the head
 * @param index the links of every record up to the head
 * @param sourceAccounting the source-offset accounting at the head
 */
public record StoredLedger(
    ChainHead head,
    List<LedgerPublicKey> keysInForce,
    RecordedEvents eventIds,
    Optional<Checkpoint> checkpoint,
    Optional<LedgerPublicKey> checkpointKey,
    long checkpointCount,
    SeqOffsets offsets,
    LedgerIndex index,
    SourceAccounting.State sourceAccounting) {}
