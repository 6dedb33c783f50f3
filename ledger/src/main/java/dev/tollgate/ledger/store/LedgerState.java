package dev.tollgate.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.append.StagedBatch;
import dev.tollgate.ledger.append.StagedRecord;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.merkle.MerkleTree;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Everything the writer knows of its ledger in one object: the verifier (chain head, keys in force,
 * recorded event ids, Merkle tree, last checkpoint), the topic offset of each record, the index of
 * links and the data directory. It is the one place where a transaction's outcome reaches that
 * state: {@link #apply} after a commit, {@link #discard} after anything else. Not thread-safe; the
 * writer thread alone uses it, and readers see what the writer publishes from it.
 */
public final class LedgerState {

  private static final Logger LOG = Logger.getLogger(LedgerState.class);

  private final LedgerVerifier chain;
  private final SeqOffsets offsets;
  private final LedgerIndex index;
  private LedgerDataDir dataDir;

  /**
   * @param chain the verifier, at the head the offsets and index end at
   * @param offsets the topic offset of every record up to that head: the data directory's own when
   *     there is one
   * @param index the links of every record up to that head
   * @param dataDir where the state is kept between restarts, when anywhere
   */
  public LedgerState(
      LedgerVerifier chain,
      SeqOffsets offsets,
      LedgerIndex index,
      Optional<LedgerDataDir> dataDir) {
    if (dataDir.isPresent() && !dataDir.get().keeps(offsets)) {
      throw new IllegalArgumentException("with a data directory, the offsets must be its own");
    }
    this.chain = chain;
    this.offsets = offsets;
    this.index = index;
    this.dataDir = dataDir.orElse(null);
  }

  /** The verifier the append step extends; what it holds beyond the last commit is staged. */
  public LedgerVerifier chain() {
    return chain;
  }

  /**
   * Takes a record read back from the ledger topic at {@code offset}: verified as the auditor
   * would, then indexed. Counted as committed by {@link #recovered()}.
   */
  public ChainEntry recover(long offset, byte[] value) throws ChainException {
    ChainEntry entry = chain.verifyNext(value);
    remember(entry.seq(), offset, value, null);
    return entry;
  }

  /** Everything read back so far is what the topic holds committed. */
  public void recovered() {
    chain.markCommitted();
  }

  /**
   * The batch's transaction committed and its records sit at {@code recordOffsets}: offsets, index
   * and data directory learn them, and the chain counts them as committed.
   */
  public void apply(StagedBatch batch, List<Long> recordOffsets) {
    List<StagedRecord> records = batch.records();
    if (recordOffsets.size() != records.size()) {
      throw new IllegalArgumentException(
          records.size() + " records were committed, but " + recordOffsets.size() + " offsets");
    }
    if (!records.isEmpty() && records.get(records.size() - 1).seq() != chain.head().headSeq()) {
      throw new IllegalStateException("the batch is not what the chain staged last");
    }
    for (int i = 0; i < records.size(); i++) {
      StagedRecord record = records.get(i);
      remember(record.seq(), recordOffsets.get(i), record.value(), record.tree());
    }
    chain.markCommitted();
  }

  /**
   * The batch's transaction did not commit (it failed, was aborted or never began): the chain, the
   * tree and the data directory forget every record staged since the last commit.
   */
  public void discard() {
    chain.rollback();
    if (dataDir != null) {
      dataDir.rollback();
    }
  }

  /** {@code tree}: the record's tree when the writer built it, else null (parsed from value). */
  private void remember(long seq, long offset, byte[] value, JsonNode tree) {
    // With a data directory, the offsets are its own: they reach its file, not the heap.
    offsets.add(seq, offset);
    if (tree != null) {
      index.add(seq, tree);
    } else {
      index.add(seq, value);
    }
  }

  /**
   * Writes what was committed to the data directory. A failure there costs a longer recovery on the
   * next start (the directory is then emptied, closed and rebuilt from the topic), never a record.
   *
   * @return false when the directory could not be written and was dropped: the tree lived in it, so
   *     the writer must recover again before it goes on
   */
  public boolean persist() {
    if (dataDir == null) {
      return true;
    }
    try {
      dataDir.commit(
          chain.head(),
          chain.keysInForce(),
          chain.lastCheckpoint(),
          chain.lastCheckpointKey(),
          chain.checkpointCount(),
          chain.sources().state());
      return true;
    } catch (IOException e) {
      LOG.errorf(
          "cannot write the ledger data directory %s (%s); it is dropped and rebuilt from the topic",
          dataDir.directory(), e.toString());
      try {
        dataDir.reset();
      } catch (IOException ignored) {
        // The state file is what makes the directory count; if even that cannot go, load rejects
        // the short files and rebuilds.
      }
      dataDir.close();
      dataDir = null;
      return false;
    }
  }

  /** The chain head, committed records only once the last batch was applied or discarded. */
  public ChainHead head() {
    return chain.head();
  }

  /** The latest committed checkpoint. */
  public Optional<Checkpoint> committedCheckpoint() {
    return chain.committedCheckpoint();
  }

  /** The Merkle tree over at least the committed records. */
  public MerkleTree tree() {
    return chain.tree();
  }

  /** The topic offset of every committed record. */
  public SeqOffsets offsets() {
    return offsets;
  }

  /** The links of every committed record. */
  public LedgerIndex index() {
    return index;
  }
}
