package dev.tollgate.ledger.recovery;

import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordedEvents;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.port.LedgerSession;
import dev.tollgate.ledger.store.LedgerDataDir;
import dev.tollgate.ledger.store.LedgerState;
import dev.tollgate.ledger.store.SeqOffsets;
import dev.tollgate.ledger.store.StoredLedger;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Brings the writer's state up to the ledger topic before it appends: from the head kept in the
 * data directory when there is one (after checking that the topic still holds that head at the
 * offset kept for it), otherwise from the topic's first record, verifying every record read as the
 * auditor would. A topic that no longer holds what this writer committed, or a chain that does not
 * verify, is {@link Invalid}: the writer must not extend it. Not thread-safe; the writer thread
 * alone uses it, across sessions, and it keeps the data directory open between them.
 */
public final class LedgerRecovery implements AutoCloseable {

  /** What a recovery found. */
  public sealed interface Result permits Recovered, Unavailable, Invalid {}

  /** The state, verified up to the topic's end, ready to be appended to. */
  public record Recovered(LedgerState state) implements Result {}

  /** The topic or the data directory could not be read now; trying again may succeed. */
  public record Unavailable(String reason) implements Result {}

  /** The topic does not hold a chain this writer may extend. */
  public record Invalid(ChainException cause) implements Result {}

  private static final Logger LOG = Logger.getLogger(LedgerRecovery.class);

  private final Optional<Path> dataDirPath;
  private final String ledgerTopic;
  private final Optional<String> origin;
  private final List<LedgerPublicKey> trusted;
  private LedgerDataDir dataDir;
  private volatile long reads;
  private volatile long injected;
  private long lastInjectedOffset = -1;

  /** Records read back between two settlements of the verifier's uncommitted state. */
  private static final int SETTLE_EVERY = 10_000;

  /**
   * @param dataDirPath where the state is kept between restarts, if anywhere
   * @param ledgerTopic the ledger topic, which the data directory must belong to
   * @param origin the checkpoint origin every checkpoint on the topic must carry
   * @param trusted the keys that may have signed the chain's first record: the signing key and the
   *     previous ones
   */
  public LedgerRecovery(
      Optional<Path> dataDirPath,
      String ledgerTopic,
      String origin,
      List<LedgerPublicKey> trusted) {
    this.dataDirPath = dataDirPath;
    this.ledgerTopic = ledgerTopic;
    this.origin = Optional.of(origin);
    this.trusted = List.copyOf(trusted);
  }

  /**
   * Ledger records read from the topic by the last recovery: the whole topic without a data
   * directory, the records since the kept head (and the head itself) with one.
   */
  public long reads() {
    return reads;
  }

  /**
   * Values on the ledger topic found not to be the ledger's records, each counted once across the
   * recoveries of this writer (an offset counts when it is beyond every one counted before).
   */
  public long injected() {
    return injected;
  }

  private void injected(long offset, Injected foreign) {
    if (offset > lastInjectedOffset) {
      lastInjectedOffset = offset;
      injected++;
      LOG.warnf(
          "ledger topic %s holds a value at offset %d that is not the ledger's record (%s);"
              + " skipped. Someone else can write to the ledger topic: check its ACLs",
          ledgerTopic, offset, foreign.describe());
    }
  }

  /** Reads the ledger back through {@code topic}, from the kept head or from its start. */
  public Result recover(LedgerSession topic) {
    reads = 0;
    StartingPoint start;
    try {
      start = startingPoint();
    } catch (IOException e) {
      closeDataDir();
      return new Unavailable(
          "cannot use the ledger data directory "
              + dataDirPath.orElseThrow()
              + " ("
              + e.getMessage()
              + ")");
    }
    LedgerState ledger = start.state();
    Optional<ChainHead> kept = start.kept();
    long fromOffset = kept.map(h -> ledger.offsets().offset(h.headSeq())).orElse(0L);
    boolean[] keptHeadSeen = {false};
    try {
      topic.readLedger(
          fromOffset,
          (offset, value) -> {
            reads++;
            if (kept.isPresent() && !keptHeadSeen[0]) {
              keptHeadSeen[0] = true;
              requireKeptHead(kept.get(), ledger.tree(), offset, fromOffset, value);
              return;
            }
            // A value someone else produced onto the topic is not the ledger's: skipped and
            // counted, never a reason to stop, and never mistaken for a break of the chain.
            Optional<Injected> foreign = ledger.chain().injected(value, null);
            if (foreign.isPresent()) {
              injected(offset, foreign.get());
              return;
            }
            ledger.recover(offset, value);
            if (reads % SETTLE_EVERY == 0) {
              // What the topic holds committed is committed: settling it now and then keeps
              // the verifier's uncommitted entries (in memory) bounded while it reads a long
              // ledger. A failure later discards the whole recovery all the same.
              ledger.recovered();
            }
          });
      ledger.chain().requireOwnRecords();
      if (kept.isPresent() && !keptHeadSeen[0]) {
        throw new ChainException(
            kept.get().headSeq(),
            ChainException.Reason.TRUNCATED,
            "the ledger topic ends before offset "
                + fromOffset
                + ", where this writer committed seq "
                + kept.get().headSeq()
                + "; records were cut off its tail (delete "
                + dataDirPath.orElseThrow()
                + " only if the topic as it is now is the ledger to trust)");
      }
    } catch (ChainException e) {
      ledger.discard();
      LOG.errorf(
          "ledger topic %s does not verify at seq %d: %s; refusing to write until it is repaired",
          ledgerTopic, e.seq(), e.describe());
      return new Invalid(e);
    } catch (LedgerTopicException e) {
      ledger.discard();
      return new Unavailable("cannot read the ledger back (" + e.getMessage() + ")");
    }
    ledger.recovered();
    return new Recovered(ledger);
  }

  private record StartingPoint(LedgerState state, Optional<ChainHead> kept) {}

  /**
   * From the state kept in the data directory when there is one, otherwise from an empty chain (and
   * an emptied directory).
   */
  private StartingPoint startingPoint() throws IOException {
    if (dataDirPath.isEmpty()) {
      return fresh(MerkleTree.inMemory(), Optional.empty());
    }
    if (dataDir == null || !dataDir.isOpen()) {
      dataDir = LedgerDataDir.open(dataDirPath.get(), ledgerTopic);
    }
    Optional<StoredLedger> stored;
    try {
      stored = dataDir.load();
    } catch (IOException e) {
      LOG.warnf("%s; rebuilding it from the ledger topic", e.getMessage());
      dataDir.reset();
      stored = Optional.empty();
    }
    if (stored.isEmpty() || stored.get().head().isEmpty()) {
      dataDir.reset();
      return fresh(dataDir.tree(), Optional.of(dataDir));
    }
    StoredLedger kept = stored.get();
    LOG.infof(
        "ledger data in %s holds %d records; reading the topic from seq %d on",
        dataDir.directory(), kept.head().size(), kept.head().headSeq());
    LedgerVerifier chain =
        LedgerVerifier.resuming(
            kept.head(),
            kept.keysInForce(),
            kept.eventIds(),
            origin,
            dataDir.tree(),
            kept.checkpoint(),
            kept.checkpointKey(),
            kept.checkpointCount(),
            kept.sourceAccounting());
    return new StartingPoint(
        new LedgerState(chain, kept.offsets(), kept.index(), Optional.of(dataDir)),
        Optional.of(kept.head()));
  }

  private StartingPoint fresh(MerkleTree tree, Optional<LedgerDataDir> dir) {
    // With a data directory, event ids, links and offsets go to its files, not to the heap.
    LedgerVerifier chain =
        LedgerVerifier.trusting(
            trusted,
            origin,
            tree,
            dir.map(LedgerDataDir::recordedEvents).orElseGet(RecordedEvents::inMemory));
    LedgerIndex index = dir.map(LedgerDataDir::emptyIndex).orElseGet(LedgerIndex::new);
    SeqOffsets offsets = dir.map(LedgerDataDir::emptyOffsets).orElseGet(SeqOffsets::inMemory);
    return new StartingPoint(new LedgerState(chain, offsets, index, dir), Optional.empty());
  }

  /**
   * Checks that the record the topic holds where the data directory says the head is, is that head:
   * the same offset, the same record hash, the same leaf hash in the kept tree.
   */
  private static void requireKeptHead(
      ChainHead kept, MerkleTree tree, long offset, long expectedOffset, byte[] value)
      throws ChainException {
    boolean same =
        offset == expectedOffset
            && sameRecordHash(value, kept.headHash())
            && Arrays.equals(MerkleHash.leaf(value), tree.leafHash(kept.headSeq()));
    if (!same) {
      throw new ChainException(
          kept.headSeq(),
          ChainException.Reason.PREV_MISMATCH,
          "the ledger topic no longer holds, at offset "
              + expectedOffset
              + ", the record seq "
              + kept.headSeq()
              + " ("
              + kept.headHash()
              + ") that this writer committed: the topic was rewritten or replaced");
    }
  }

  private static boolean sameRecordHash(byte[] value, String expected) {
    try {
      return LedgerRecord.recordHash(Json.readTree(value)).equals(expected);
    } catch (MalformedJsonException | UncheckedIOException e) {
      return false;
    }
  }

  private void closeDataDir() {
    if (dataDir != null) {
      dataDir.close();
      dataDir = null;
    }
  }

  /** Closes the data directory; everything committed was written before. */
  @Override
  public void close() {
    closeDataDir();
  }
}
