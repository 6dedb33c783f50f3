package dev.tollgate.ledger.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.Injected;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.ParsedRecord;
import dev.tollgate.ledger.chain.RecordedEvent;
import dev.tollgate.ledger.chain.RecordedEvents;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleProofs;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Verifies a ledger one stored record at a time, in topic order: the chain ({@link ChainVerifier}),
 * the Merkle tree it builds over every record (each stored value is one leaf), and every checkpoint
 * record against that tree: its note signed by the record's key under the origin as key name, its
 * size equal to its seq, consistent with the checkpoint before it, and its root the root of the
 * records before it. The writer runs it on recovery and over every record it writes; the auditor
 * runs it over the topic.
 *
 * <p>After a {@link ChainException} the verifier holds the rejected record; {@link #rollback()} or
 * discard it. Not thread-safe, except that {@link #tree()} may be read by other threads for sizes
 * up to the last {@link #markCommitted()}.
 */
public final class LedgerVerifier {

  private final ChainVerifier chain;
  private final MerkleTree tree;
  private final String pinnedOrigin;
  private final SourceAccounting sources;
  private Checkpoint last;
  private Checkpoint committedLast;
  private LedgerPublicKey lastKey;
  private LedgerPublicKey committedLastKey;
  private long checkpoints;
  private long committedCheckpoints;
  private boolean foreignLedgerSeen;

  private LedgerVerifier(
      ChainVerifier chain, MerkleTree tree, String origin, SourceAccounting sources) {
    this.chain = chain;
    this.tree = tree;
    this.pinnedOrigin = origin;
    this.sources = sources;
  }

  /**
   * A verifier for a ledger from its first record.
   *
   * @param keys the keys that may sign records and checkpoints
   * @param origin the origin every checkpoint must carry; when empty, the first checkpoint's origin
   *     is taken and every later one must repeat it
   * @param tree an empty tree, which the verifier fills with one leaf per accepted record
   */
  public static LedgerVerifier trusting(
      Collection<LedgerPublicKey> keys, Optional<String> origin, MerkleTree tree) {
    return trusting(keys, origin, tree, RecordedEvents.inMemory());
  }

  /** As above, keeping the event ids it accepts in {@code eventIds} (empty), such as on disk. */
  public static LedgerVerifier trusting(
      Collection<LedgerPublicKey> keys,
      Optional<String> origin,
      MerkleTree tree,
      RecordedEvents eventIds) {
    if (tree.size() != 0) {
      throw new IllegalArgumentException("a ledger verifier starts from an empty tree");
    }
    origin.ifPresent(NoteKey::requireName);
    return new LedgerVerifier(
        ChainVerifier.trusting(keys, eventIds),
        tree,
        origin.orElse(null),
        SourceAccounting.fromStart());
  }

  /**
   * A verifier that continues a ledger verified before up to {@code head}, from what was kept of
   * it: the keys in force at the head, every source event id recorded, the tree over exactly the
   * records up to the head, and the last checkpoint with the number of checkpoints so far.
   */
  public static LedgerVerifier resuming(
      ChainHead head,
      Collection<LedgerPublicKey> keysInForce,
      Collection<RecordedEvent> eventIds,
      Optional<String> origin,
      MerkleTree tree,
      Optional<Checkpoint> lastCheckpoint,
      Optional<LedgerPublicKey> lastCheckpointKey,
      long checkpointCount) {
    return resuming(
        head,
        keysInForce,
        eventIds,
        origin,
        tree,
        lastCheckpoint,
        lastCheckpointKey,
        checkpointCount,
        SourceAccounting.State.empty());
  }

  /** As the other {@code resuming}, with the source accounting kept at {@code head}. */
  public static LedgerVerifier resuming(
      ChainHead head,
      Collection<LedgerPublicKey> keysInForce,
      Collection<RecordedEvent> eventIds,
      Optional<String> origin,
      MerkleTree tree,
      Optional<Checkpoint> lastCheckpoint,
      Optional<LedgerPublicKey> lastCheckpointKey,
      long checkpointCount,
      SourceAccounting.State sourceAccounting) {
    RecordedEvents recorded = RecordedEvents.inMemory();
    eventIds.forEach(recorded::add);
    recorded.markCommitted();
    return resuming(
        head,
        keysInForce,
        recorded,
        origin,
        tree,
        lastCheckpoint,
        lastCheckpointKey,
        checkpointCount,
        sourceAccounting);
  }

  /**
   * As the other {@code resuming}, with the event ids recorded up to {@code head} in {@code
   * eventIds} (committed), which the verifier goes on filling: the writer's data directory.
   */
  public static LedgerVerifier resuming(
      ChainHead head,
      Collection<LedgerPublicKey> keysInForce,
      RecordedEvents eventIds,
      Optional<String> origin,
      MerkleTree tree,
      Optional<Checkpoint> lastCheckpoint,
      Optional<LedgerPublicKey> lastCheckpointKey,
      long checkpointCount,
      SourceAccounting.State sourceAccounting) {
    if (tree.size() != head.size()) {
      throw new IllegalArgumentException(
          "a tree of " + tree.size() + " leaves does not match a chain of " + head.size());
    }
    origin.ifPresent(NoteKey::requireName);
    LedgerVerifier verifier =
        new LedgerVerifier(
            ChainVerifier.resuming(head, keysInForce, eventIds),
            tree,
            origin.orElse(null),
            SourceAccounting.resuming(sourceAccounting));
    verifier.last = lastCheckpoint.orElse(null);
    verifier.committedLast = verifier.last;
    verifier.lastKey = lastCheckpointKey.orElse(null);
    verifier.committedLastKey = verifier.lastKey;
    verifier.checkpoints = checkpointCount;
    verifier.committedCheckpoints = checkpointCount;
    return verifier;
  }

  /** Verifies the stored value of the next record and extends chain and tree by it. */
  public ChainEntry verifyNext(byte[] value) throws ChainException {
    return verifyNext(value, null);
  }

  /** As {@link #verifyNext(byte[])}, reusing a {@link ChainVerifier#precheck} of the value. */
  public ChainEntry verifyNext(byte[] value, ChainVerifier.Precheck precheck)
      throws ChainException {
    ChainEntry entry = chain.verifyNext(value, precheck);
    extend(entry, value);
    tree.append(value);
    return entry;
  }

  /**
   * The auditor's checkpoint pass ({@link ChainVerifier#verifyNextAuthenticatedLater}): verifies
   * the next record but for its signature and extends chain and tree by it. A checkpoint record's
   * note is verified as always, so once this returns a {@link LedgerRecord.Kind#CHECKPOINT} entry,
   * every record before it is authenticated by the checkpoint's signature over their Merkle root
   * (each leaf hashes a whole stored record, signature included). The caller verifies the signature
   * of every record no checkpoint covers.
   */
  public ChainEntry verifyNextAuthenticatedLater(ParsedRecord parsed) throws ChainException {
    ChainEntry entry = chain.verifyNextAuthenticatedLater(parsed);
    extend(entry, parsed.value());
    tree.appendLeafHash(parsed.leafHash());
    return entry;
  }

  private void extend(ChainEntry entry, byte[] value) throws ChainException {
    if (entry.source() != null) {
      sources.record(entry.seq(), entry.source());
    }
    if (entry.kind() == LedgerRecord.Kind.CHECKPOINT) {
      last = verifyCheckpoint(entry.seq(), value);
      checkpoints++;
    }
  }

  /**
   * Why {@code value} is not one of this ledger's records, if it is not ({@link
   * ChainVerifier#injected}), or a byte-for-byte copy of a record the chain holds at an earlier
   * seq: the ledger never writes one record twice, so a copy was produced by someone else. A value
   * for which this is empty is verified with {@link #verifyNext}, and any failure there is the
   * chain's.
   */
  public Optional<Injected> injected(byte[] value, ChainVerifier.Precheck precheck) {
    Optional<Injected> foreign = chain.injected(value, precheck);
    if (foreign.isPresent()) {
      if (foreign.get().reason() == Injected.Reason.UNKNOWN_KEY && chain.head().isEmpty()) {
        foreignLedgerSeen = true;
      }
      return foreign;
    }
    long seq = precheck != null ? precheck.seq() : recordSeq(value);
    if (seq >= 0
        && seq < tree.size()
        && Arrays.equals(MerkleHash.leaf(value), tree.leafHash(seq))) {
      return Optional.of(
          new Injected(
              Injected.Reason.REPLAYED, "a byte-for-byte copy of the ledger's record seq " + seq));
    }
    return Optional.empty();
  }

  /**
   * Refuses a ledger in which not one value is the ledger's while some are records signed by
   * another key: what the wrong public key, or a ledger of another key, looks like. Without this,
   * skipping foreign values would pass such a topic as an empty ledger (and a writer would start a
   * second chain on it). Garbage alone does not trip it.
   *
   * @throws ChainException {@link Reason#UNKNOWN_KEY} at seq 0
   */
  public void requireOwnRecords() throws ChainException {
    if (chain.head().isEmpty() && foreignLedgerSeen) {
      throw new ChainException(
          0,
          Reason.UNKNOWN_KEY,
          "no value on the topic is a record signed by the trusted ledger key(s) "
              + chain.keysInForce().stream().map(LedgerPublicKey::keyId).sorted().toList()
              + ", but some are records signed by other keys: wrong public key, or not this"
              + " ledger's topic");
    }
  }

  private static long recordSeq(byte[] value) {
    try {
      JsonNode seq = Json.readTree(value).path("seq");
      return seq.isIntegralNumber() && seq.canConvertToLong() ? seq.asLong() : -1;
    } catch (MalformedJsonException e) {
      return -1;
    }
  }

  /** The chain so far, including records not yet marked committed. */
  public ChainHead head() {
    return chain.head();
  }

  /** The keys that may sign the next record. */
  public Collection<LedgerPublicKey> keysInForce() {
    return chain.keysInForce();
  }

  /** The key in force under this key id, if any; safe to call from precheck threads. */
  public LedgerPublicKey keyInForce(String keyId) {
    return chain.keyInForce(keyId);
  }

  /** Whether a record of this source event was accepted. */
  public boolean recorded(String eventId) {
    return chain.recorded(eventId);
  }

  /** The records of this source event id accepted so far, first one first. */
  public List<RecordedEvent> records(String eventId) {
    return chain.records(eventId);
  }

  /** The accounting of source offsets over every accepted record. */
  public SourceAccounting sources() {
    return sources;
  }

  /** The Merkle tree over every accepted record. */
  public MerkleTree tree() {
    return tree;
  }

  /** The last checkpoint accepted, committed or not. */
  public Optional<Checkpoint> lastCheckpoint() {
    return Optional.ofNullable(last);
  }

  /** The last checkpoint as of the last {@link #markCommitted()}. */
  public Optional<Checkpoint> committedCheckpoint() {
    return Optional.ofNullable(committedLast);
  }

  /** The key that signed {@link #lastCheckpoint()}. */
  public Optional<LedgerPublicKey> lastCheckpointKey() {
    return Optional.ofNullable(lastKey);
  }

  /** How many checkpoint records were accepted. */
  public long checkpointCount() {
    return checkpoints;
  }

  /** Makes everything accepted so far the state {@link #rollback()} returns to. */
  public void markCommitted() {
    chain.markCommitted();
    committedLast = last;
    committedLastKey = lastKey;
    committedCheckpoints = checkpoints;
    sources.markCommitted();
  }

  /** Forgets every record accepted since the last {@link #markCommitted()}. */
  public void rollback() {
    chain.rollback();
    tree.truncate(chain.head().size());
    last = committedLast;
    lastKey = committedLastKey;
    checkpoints = committedCheckpoints;
    sources.rollback();
  }

  private Checkpoint verifyCheckpoint(long seq, byte[] value) throws ChainException {
    JsonNode record;
    try {
      record = Json.readTree(value);
    } catch (MalformedJsonException e) {
      throw new IllegalStateException("the chain verifier accepted a record that is not JSON", e);
    }
    LedgerPublicKey key = chain.keyInForce(record.get("keyId").asText());
    JsonNode payload = record.get("payload");
    JsonNode originNode = payload.get("origin");
    if (originNode == null || !originNode.isTextual() || !NoteKey.isName(originNode.asText())) {
      throw new ChainException(
          seq, Reason.CHECKPOINT_INVALID, "the checkpoint has no valid origin");
    }
    String origin = originNode.asText();
    String expected = pinnedOrigin != null ? pinnedOrigin : last != null ? last.origin() : origin;
    if (!origin.equals(expected)) {
      throw new ChainException(
          seq,
          Reason.CHECKPOINT_INVALID,
          "the checkpoint is of origin " + origin + ", but this ledger's origin is " + expected);
    }
    NoteKey noteKey = NoteKey.of(origin, key);
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.fromPayload(payload, noteKey);
    } catch (CheckpointException e) {
      throw new ChainException(
          seq,
          e.reason() == CheckpointException.Reason.BAD_SIGNATURE
              ? Reason.CHECKPOINT_BAD_SIGNATURE
              : Reason.CHECKPOINT_INVALID,
          "checkpoint note: " + e.getMessage());
    }
    if (checkpoint.size() != seq) {
      throw new ChainException(
          seq,
          Reason.CHECKPOINT_INVALID,
          "a checkpoint at seq "
              + seq
              + " covers the "
              + seq
              + " records before it, not "
              + checkpoint.size());
    }
    if (last != null) {
      List<byte[]> proof = tree.consistencyProof(last.size(), checkpoint.size());
      if (!MerkleProofs.consistencyVerifies(
          last.size(), checkpoint.size(), proof, last.rootHash(), checkpoint.rootHash())) {
        throw new ChainException(
            seq,
            Reason.CHECKPOINT_INCONSISTENT,
            "root "
                + checkpoint.rootDigest()
                + " at size "
                + checkpoint.size()
                + " is not consistent with the checkpoint at size "
                + last.size()
                + " ("
                + last.rootDigest()
                + ")");
      }
    }
    byte[] root = tree.rootHash(seq);
    if (!Arrays.equals(root, checkpoint.rootHash())) {
      throw new ChainException(
          seq,
          Reason.CHECKPOINT_ROOT_MISMATCH,
          "the checkpoint states root "
              + checkpoint.rootDigest()
              + " but the "
              + seq
              + " records before it hash to "
              + Checkpoint.digestOf(root));
    }
    sources.checkpoint(seq, payload.get(SourceAccounting.SOURCES_FIELD));
    lastKey = key;
    return checkpoint;
  }
}
