package dev.tollgate.ledger.store;

import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordedEvents;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.merkle.FileHashStore;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.store.DataDirState.InvalidStateException;
import dev.tollgate.ledger.store.FrameLog.CorruptFrameException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;

/**
 * The writer's state on local disk, so that a restart reads only the records appended since the
 * last commit instead of the whole ledger topic, and so that the writer's heap does not grow with
 * the ledger: event ids, links and topic offsets are looked up on disk, not held in memory. Plain
 * files, documented here, that any tool can read:
 *
 * <ul>
 *   <li>{@code tree/level-NN.hashes}: the RFC 6962 Merkle tree ({@link FileHashStore});
 *   <li>{@code offsets.bin}: the ledger topic offset of each seq, big-endian 64-bit, 8 bytes per
 *       record ({@link DiskSeqOffsets}: only the latest few thousand are also in memory);
 *   <li>{@code event-ids.bin}: each source-event record's event id, seq, payload digest and whether
 *       it was authenticated, in seq order, each as a big-endian 32-bit length and canonical JSON
 *       ({@link DiskRecordedEvents}; the ledger's own records have none);
 *   <li>{@code links.bin}: for each record that links ids, the same framing around the canonical
 *       JSON of its seq, kind, event id, links, authentication and decision ({@link
 *       DiskLinkStore});
 *   <li>{@code event-ids.idx}, {@code links.idx}: hash tables over the two files above ({@link
 *       DiskHashTable}), caches rebuilt from them whenever they were not left consistent;
 *   <li>{@code state.json}: what the files above hold as of the last committed transaction ({@link
 *       DataDirState}). Replaced atomically after every commit, so it is the commit point: bytes
 *       beyond the lengths it states are cut off on open.
 * </ul>
 *
 * <p>Nothing here is trusted blindly: on open the last checkpoint's note is verified again and the
 * tree must reproduce its root, and the writer checks the stored head against the record the topic
 * holds at the stored offset before it resumes ({@code dev.tollgate.ledger.recovery}). Not
 * thread-safe; the writer thread alone uses it (the link store it hands to the index is).
 */
public final class LedgerDataDir implements AutoCloseable {

  private static final String TREE = "tree";

  private final Path directory;
  private final String ledgerTopic;
  private final FileHashStore hashes;
  private final MerkleTree tree;
  private final DiskSeqOffsets offsets;
  private final DiskRecordedEvents eventIds;
  private final DiskLinkStore links;
  private long size;
  private boolean open = true;

  private LedgerDataDir(Path directory, String ledgerTopic, FileHashStore hashes)
      throws IOException {
    this.directory = directory;
    this.ledgerTopic = ledgerTopic;
    this.hashes = hashes;
    this.tree = new MerkleTree(hashes);
    this.offsets = DiskSeqOffsets.open(directory);
    this.eventIds = DiskRecordedEvents.open(directory);
    this.links = DiskLinkStore.open(directory);
  }

  /**
   * Opens the data directory of this ledger topic, creating it when missing. A directory whose
   * state cannot be read back consistently (missing or short files, another topic, a tree that does
   * not reproduce the last checkpoint) is emptied: the writer then rebuilds it from the topic.
   */
  public static LedgerDataDir open(Path directory, String ledgerTopic) throws IOException {
    Files.createDirectories(directory);
    return new LedgerDataDir(directory, ledgerTopic, FileHashStore.open(directory.resolve(TREE)));
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** The Merkle tree kept in the directory, which the writer's verifier fills. */
  public MerkleTree tree() {
    return tree;
  }

  /**
   * The event ids kept in the directory, which the writer's verifier fills: after {@link #load()}
   * those up to the stored head, after {@link #reset()} none.
   */
  public RecordedEvents recordedEvents() {
    return eventIds;
  }

  /** An index over the links kept in the directory, which must be empty (after a reset). */
  public LedgerIndex emptyIndex() {
    if (size != 0 || links.length() != 0) {
      throw new IllegalStateException("the data directory holds records");
    }
    return new LedgerIndex(links, 0);
  }

  /**
   * The topic offsets kept in the directory, which must be empty (after a reset); the writer's
   * state adds to them, and {@link #commit} writes them out.
   */
  public SeqOffsets emptyOffsets() {
    if (size != 0 || offsets.size() != 0) {
      throw new IllegalStateException("the data directory holds records");
    }
    return offsets;
  }

  /** Whether {@code seqOffsets} are the ones kept in this directory. */
  boolean keeps(SeqOffsets seqOffsets) {
    return seqOffsets == offsets;
  }

  /** The committed size: records whose state is on disk. */
  public long size() {
    return size;
  }

  /**
   * Reads what the directory holds back, or returns empty (after emptying the directory) when it
   * holds nothing usable; the tree is then empty too.
   */
  public Optional<StoredLedger> load() throws IOException {
    // Records added by a recovery that failed half way were never committed here.
    rollback();
    if (!Files.exists(directory.resolve(DataDirState.FILE))) {
      reset();
      return Optional.empty();
    }
    try {
      return Optional.of(read(DataDirState.read(directory, ledgerTopic)));
    } catch (InvalidStateException | CorruptFrameException e) {
      reset();
      throw new IOException("unusable ledger data in " + directory + ": " + e.getMessage(), e);
    }
  }

  private StoredLedger read(DataDirState state)
      throws IOException, InvalidStateException, CorruptFrameException {
    long stored = state.head().size();
    if (eventIds.length() < state.eventIdsBytes()
        || links.length() < state.linksBytes()
        || hashes.size() < stored) {
      throw new InvalidStateException("its files are shorter than its state says");
    }
    offsets.load(stored);
    tree.truncate(stored);
    Optional<Checkpoint> checkpoint = state.checkpoint();
    if (checkpoint.isPresent()
        && (checkpoint.get().size() >= stored
            || !Arrays.equals(
                tree.rootHash(checkpoint.get().size()), checkpoint.get().rootHash()))) {
      throw new InvalidStateException("its tree does not reproduce the last checkpoint");
    }
    eventIds.load(state.eventIdsBytes());
    links.load(state.linksBytes());
    size = stored;
    return new StoredLedger(
        state.head(),
        state.keysInForce(),
        eventIds,
        checkpoint,
        state.checkpointKey(),
        state.checkpointCount(),
        offsets,
        new LedgerIndex(links, stored),
        state.sources());
  }

  /**
   * Writes every record added since the last commit (the tree's leaves, the event ids, the links
   * and the offsets, which the writer's state added) and then the state that makes them count: the
   * head, the keys in force and the last checkpoint (with the key that signed it).
   */
  public void commit(
      ChainHead head,
      Collection<LedgerPublicKey> keysInForce,
      Optional<Checkpoint> checkpoint,
      Optional<LedgerPublicKey> checkpointKey,
      long checkpointCount,
      SourceAccounting.State sources)
      throws IOException {
    if (head.size() != offsets.size() || tree.size() < head.size()) {
      throw new IllegalStateException(
          "committing " + head.size() + " records, but " + offsets.size() + " were added");
    }
    new DataDirState(
            ledgerTopic,
            head,
            offsets.persist(),
            eventIds.persist(),
            links.persist(),
            DataDirState.keys(keysInForce),
            checkpoint,
            checkpointKey,
            checkpointCount,
            sources)
        .write(directory);
    size = head.size();
  }

  /** Forgets records added since the last commit (their transaction was aborted). */
  public void rollback() {
    offsets.rollback();
  }

  /** Empties the directory: the tree and every file. */
  public void reset() throws IOException {
    rollback();
    Files.deleteIfExists(directory.resolve(DataDirState.FILE));
    offsets.reset();
    eventIds.reset();
    links.reset();
    tree.truncate(0);
    size = 0;
  }

  /** False once closed: the writer then opens the directory again before it uses it. */
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
    hashes.close();
    eventIds.close();
    links.close();
    offsets.close();
  }
}
