package dev.tollgate.ledger.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.chain.ChainException.Reason;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Verifies a ledger one record at a time, in topic order, exactly as stored: the writer runs it
 * when it recovers the chain (and over every record before it sends it), the auditor when it checks
 * the topic. Everything is checked on the raw JSON tree, never on a re-serialized Java record, so
 * nothing the signature covers can hide from the checks.
 *
 * <p>Not thread-safe: one chain, one reader.
 */
public final class ChainVerifier {

  private final RecordedEvents eventIds;
  private boolean knowsEarlierEvents = true;
  private volatile Map<String, LedgerPublicKey> keys;
  private Map<String, LedgerPublicKey> committedKeys;
  private ChainHead head = ChainHead.EMPTY;
  private ChainHead committedHead = ChainHead.EMPTY;

  private ChainVerifier(Map<String, LedgerPublicKey> keys, RecordedEvents eventIds) {
    this.keys = keys;
    this.committedKeys = keys;
    this.eventIds = eventIds;
  }

  /**
   * What can be checked of one record without knowing the records before it: that it is JSON, that
   * it is canonical, and its signature with the key its keyId names, when that key is known.
   * Computed on many threads ahead of {@link #verifyNext(byte[], Precheck)}, which uses it only
   * when the key it was checked with is still the key in force for that keyId.
   */
  public static final class Precheck {
    final JsonNode tree;
    final String notJson;
    final boolean canonical;
    final LedgerPublicKey key;
    final boolean signatureValid;
    final LedgerRecord own;

    private Precheck(
        JsonNode tree,
        String notJson,
        boolean canonical,
        LedgerPublicKey key,
        boolean signatureValid) {
      this(tree, notJson, canonical, key, signatureValid, null);
    }

    private Precheck(
        JsonNode tree,
        String notJson,
        boolean canonical,
        LedgerPublicKey key,
        boolean signatureValid,
        LedgerRecord own) {
      this.tree = tree;
      this.notJson = notJson;
      this.canonical = canonical;
      this.key = key;
      this.signatureValid = signatureValid;
      this.own = own;
    }

    /** The seq the value states, or -1 when it states none. */
    public long seq() {
      JsonNode seq = tree == null ? null : tree.get("seq");
      return seq != null && seq.isIntegralNumber() && seq.canConvertToLong() ? seq.asLong() : -1;
    }
  }

  /**
   * The precheck of a record this process has just signed with {@code key}: JSON and canonical form
   * are checked, the signature is taken as made by {@code key} without verifying it again. Only for
   * the writer's own records, signed by a key whose signatures were self-tested when it was loaded;
   * the auditor verifies every signature.
   */
  public static Precheck ownRecord(byte[] value, LedgerPublicKey key) {
    JsonNode tree;
    try {
      tree = Json.readTree(value);
    } catch (MalformedJsonException e) {
      return new Precheck(null, e.getMessage(), false, null, false);
    }
    boolean canonical = Arrays.equals(value, RecordDigests.canonicalOrEmpty(tree));
    return new Precheck(tree, null, canonical, canonical ? key : null, canonical);
  }

  /**
   * The precheck of a record this process has just built as {@code tree}, whose RFC 8785 form
   * {@code value} is ({@link RecordBuilder.Built}): neither parsed nor canonicalized again, the
   * signature taken as made by {@code key}, the tree not converted to a record again (its shape is
   * checked all the same), and the payload digest taken as stated: the builder computed it from the
   * very bytes it wrote as the payload. Only for the writer's own records, as {@link
   * #ownRecord(byte[], LedgerPublicKey)}; the tree must not change afterwards.
   */
  public static Precheck ownRecord(RecordBuilder.Built built, LedgerPublicKey key) {
    return new Precheck(built.tree(), null, true, key, true, built.record());
  }

  /**
   * Prechecks a stored value, verifying its signature with {@code keys.apply(keyId)} when that
   * gives a key. Thread-safe; never throws for a bad record (the sequential check reports it).
   */
  public static Precheck precheck(byte[] value, Function<String, LedgerPublicKey> keys) {
    JsonNode tree;
    try {
      tree = Json.readTree(value);
    } catch (MalformedJsonException e) {
      return new Precheck(null, e.getMessage(), false, null, false);
    }
    boolean canonical = Arrays.equals(value, RecordDigests.canonicalOrEmpty(tree));
    JsonNode keyId = tree.path("keyId");
    JsonNode signature = tree.path("signature");
    LedgerPublicKey key = keyId.isTextual() ? keys.apply(keyId.asText()) : null;
    if (!canonical
        || key == null
        || !signature.isTextual()
        || !RecordShape.isSignature(signature.asText())) {
      return new Precheck(tree, null, canonical, null, false);
    }
    boolean valid =
        key.verifies(
            LedgerRecord.signedBytes(tree), Base64.getDecoder().decode(signature.asText()));
    return new Precheck(tree, null, true, key, valid);
  }

  /**
   * Why {@code value} is not one of the ledger's records, if it is not: not JSON, not canonical, no
   * ledger signature, a key id that is not a key in force, or a signature that does not verify.
   * Every record the ledger writes is canonical and signed by the key in force, so whatever fails
   * here was written by someone else and is skipped, not a break of the chain. Uses {@code
   * precheck} (when not null) as {@link #verifyNext(byte[], Precheck)} does.
   */
  public Optional<Injected> injected(byte[] value, Precheck precheck) {
    return ForeignValues.why(value, precheck, keys);
  }

  /** A verifier for a chain from its first record, trusting records signed by these keys. */
  public static ChainVerifier trusting(Collection<LedgerPublicKey> keys) {
    return trusting(keys, RecordedEvents.inMemory());
  }

  /**
   * A verifier for a chain from its first record, trusting records signed by these keys, that keeps
   * the event ids it accepts in {@code eventIds} (empty).
   */
  public static ChainVerifier trusting(Collection<LedgerPublicKey> keys, RecordedEvents eventIds) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a verifier needs at least one trusted key");
    }
    Map<String, LedgerPublicKey> byId = new HashMap<>();
    keys.forEach(k -> byId.put(k.keyId(), k));
    return new ChainVerifier(Map.copyOf(byId), eventIds);
  }

  /**
   * A verifier that continues a chain whose records up to {@code head} were verified before, such
   * as a single record checked against its predecessor's hash. Event ids before {@code head} are
   * unknown to it, so it cannot catch a repeat of them, nor check what a record's {@code
   * conflictsWith} names.
   */
  public static ChainVerifier resuming(ChainHead head, Collection<LedgerPublicKey> keys) {
    ChainVerifier verifier = resuming(head, keys, List.of());
    verifier.knowsEarlierEvents = head.isEmpty();
    return verifier;
  }

  /**
   * A verifier that continues a chain whose records up to {@code head} were verified before, with
   * the keys in force at {@code head} and every source event id recorded up to it: what the writer
   * keeps on local disk so that a restart need not read the whole chain again.
   */
  public static ChainVerifier resuming(
      ChainHead head, Collection<LedgerPublicKey> keys, Collection<RecordedEvent> eventIds) {
    RecordedEvents recorded = RecordedEvents.inMemory();
    eventIds.forEach(recorded::add);
    recorded.markCommitted();
    return resuming(head, keys, recorded);
  }

  /**
   * As above, with the event ids recorded up to {@code head} (committed) in {@code eventIds}, which
   * the verifier goes on filling: the writer's data directory keeps them on disk.
   */
  public static ChainVerifier resuming(
      ChainHead head, Collection<LedgerPublicKey> keys, RecordedEvents eventIds) {
    ChainVerifier verifier = trusting(keys, eventIds);
    verifier.head = head;
    verifier.committedHead = head;
    return verifier;
  }

  /** The keys that may sign the next record: the trusted ones, or the last one announced. */
  public Collection<LedgerPublicKey> keysInForce() {
    return keys.values();
  }

  /** The key in force under this key id, if any. */
  public LedgerPublicKey keyInForce(String keyId) {
    return keys.get(keyId);
  }

  /** The chain so far, including records not yet marked committed. */
  public ChainHead head() {
    return head;
  }

  /** Whether a record of this event was accepted. */
  public boolean recorded(String eventId) {
    return !eventIds.records(eventId).isEmpty();
  }

  /** The records of this event id accepted so far, first one first; empty when none. */
  public List<RecordedEvent> records(String eventId) {
    return eventIds.records(eventId);
  }

  /**
   * Verifies the stored value of the next record and extends the chain by it.
   *
   * @throws ChainException naming the first invalid seq; the chain is then left as it was
   */
  public ChainEntry verifyNext(byte[] value) throws ChainException {
    return verifyNext(value, null);
  }

  /**
   * Verifies the stored value of the next record, reusing what {@link #precheck} found for this
   * value (or checking everything itself when {@code precheck} is null).
   *
   * @throws ChainException naming the first invalid seq; the chain is then left as it was
   */
  public ChainEntry verifyNext(byte[] value, Precheck precheck) throws ChainException {
    long seq = head.nextSeq();
    JsonNode tree;
    if (precheck != null) {
      if (precheck.tree == null) {
        throw new ChainException(seq, Reason.NOT_JSON, "value is not JSON: " + precheck.notJson);
      }
      tree = precheck.tree;
    } else {
      try {
        tree = Json.readTree(value);
      } catch (MalformedJsonException e) {
        throw new ChainException(seq, Reason.NOT_JSON, "value is not JSON: " + e.getMessage());
      }
    }
    if (precheck != null
        ? !precheck.canonical
        : !Arrays.equals(value, RecordDigests.canonicalOrEmpty(tree))) {
      throw new ChainException(seq, Reason.NOT_CANONICAL, "value is not RFC 8785 canonical JSON");
    }
    LedgerRecord record =
        precheck != null && precheck.own != null
            ? RecordShape.checkBuilt(seq, tree, precheck.own)
            : RecordShape.check(seq, tree);
    if (record.seq() != seq) {
      throw new ChainException(
          seq, Reason.SEQ_MISMATCH, "expected seq " + seq + ", found " + record.seq());
    }
    if (!record.prev().equals(head.nextPrev())) {
      throw new ChainException(
          seq,
          Reason.PREV_MISMATCH,
          "prev is " + record.prev() + " but the previous record hashes to " + head.nextPrev());
    }
    LedgerPublicKey key = keys.get(record.keyId());
    if (key == null) {
      throw new ChainException(
          seq,
          Reason.UNKNOWN_KEY,
          "signed by key " + record.keyId() + ", which is not among the keys in force " + keyIds());
    }
    boolean signatureValid =
        precheck != null && key.equals(precheck.key)
            ? precheck.signatureValid
            : key.verifies(
                LedgerRecord.signedBytes(tree), Base64.getDecoder().decode(record.signature()));
    if (!signatureValid) {
      throw new ChainException(
          seq, Reason.BAD_SIGNATURE, "signature does not verify with key " + record.keyId());
    }
    // A payload with sealed parts holds commitments where values were: its digest states the
    // event's whole data and is checked only with every sealed part at hand (auditor `sealed`).
    String digest =
        record.sealed().isEmpty() && (precheck == null || precheck.own == null)
            ? RecordDigests.payloadDigest(seq, record)
            : record.payloadDigest();
    // The value is the canonical form of the record (checked above), so hashing the value is
    // hashing the canonical record without serialising it again.
    return extend(seq, record, key, digest, () -> Sha256.digest(value));
  }

  /**
   * The auditor's checkpoint pass: verifies the next record as {@link #verifyNext(byte[],
   * Precheck)} does, everything but its Ed25519 signature, from what {@link ParsedRecord#parse}
   * computed (on any thread). A key rotation record's signature is verified here all the same (it
   * changes which key is trusted). Every other record is authenticated only once the caller has
   * verified a checkpoint covering it, or its signature with {@link ParsedRecord#signedBytes()} and
   * the key in force: until then its acceptance is provisional. The writer never calls this.
   *
   * @throws ChainException naming the first invalid seq; the chain is then left as it was
   */
  public ChainEntry verifyNextAuthenticatedLater(ParsedRecord parsed) throws ChainException {
    long seq = head.nextSeq();
    if (parsed.problem() != null) {
      throw new ChainException(seq, parsed.problem(), parsed.why());
    }
    LedgerRecord record = parsed.record();
    if (record.seq() != seq) {
      throw new ChainException(
          seq, Reason.SEQ_MISMATCH, "expected seq " + seq + ", found " + record.seq());
    }
    if (!record.prev().equals(head.nextPrev())) {
      throw new ChainException(
          seq,
          Reason.PREV_MISMATCH,
          "prev is " + record.prev() + " but the previous record hashes to " + head.nextPrev());
    }
    LedgerPublicKey key = keys.get(record.keyId());
    if (key == null) {
      throw new ChainException(
          seq,
          Reason.UNKNOWN_KEY,
          "signed by key " + record.keyId() + ", which is not among the keys in force " + keyIds());
    }
    if (record.kind() == LedgerRecord.Kind.KEY_ROTATION
        && !key.verifies(parsed.signedBytes(), parsed.signature())) {
      throw new ChainException(
          seq, Reason.BAD_SIGNATURE, "signature does not verify with key " + record.keyId());
    }
    return extend(seq, record, key, parsed.payloadDigest(), parsed::hash);
  }

  /**
   * What every record goes through once its bytes, shape, seq, prev and key are checked: its
   * payload digest, the rules of its kind, then the chain is extended by it.
   */
  private ChainEntry extend(
      long seq,
      LedgerRecord record,
      LedgerPublicKey key,
      String digest,
      Supplier<String> recordHash)
      throws ChainException {
    if (!digest.equals(record.payloadDigest())) {
      throw new ChainException(
          seq,
          Reason.PAYLOAD_DIGEST_MISMATCH,
          "payloadDigest is " + record.payloadDigest() + " but the payload hashes to " + digest);
    }
    boolean ledgerOwn = record.kind().isLedgerOwn();
    LedgerPublicKey announced = null;
    if (record.kind() == LedgerRecord.Kind.CHECKPOINT) {
      RecordShape.requireCheckpoint(seq, record);
    } else if (record.kind() == LedgerRecord.Kind.KEY_ROTATION) {
      announced = KeyRotations.announcedKey(seq, record);
    } else {
      DistinctEventRule.require(
          seq, record, eventIds.records(record.eventId()), knowsEarlierEvents);
    }
    String hash = recordHash.get();
    if (announced != null) {
      // From the next seq on only the announced key signs; the old one is retired.
      keys = Map.of(announced.keyId(), announced);
    } else if (keys.size() > 1) {
      // Several keys may have signed the first record (a writer's signing key and its previous
      // ones); the one that did is the one in force, until a rotation record announces another.
      // Otherwise a writer rebuilding from the topic with a new key would write under it without
      // the rotation record an auditor trusting only the first key needs.
      keys = Map.of(key.keyId(), key);
    }
    if (!ledgerOwn) {
      // Checkpoint ids are their own namespace: unique by seq, never mistaken for a source event's.
      RecordedEvent recorded =
          new RecordedEvent(record.eventId(), seq, record.payloadDigest(), record.authenticated());
      eventIds.add(recorded);
    }
    head = head.append(hash);
    return new ChainEntry(seq, hash, record.eventId(), record.kind(), record.source());
  }

  /** Makes everything accepted so far the state {@link #rollback()} returns to. */
  public void markCommitted() {
    committedHead = head;
    committedKeys = keys;
    eventIds.markCommitted();
  }

  /**
   * Forgets every record accepted since the last {@link #markCommitted()}: the writer's transaction
   * that carried them was aborted, so they are not on the topic.
   */
  public void rollback() {
    eventIds.rollback();
    head = committedHead;
    keys = committedKeys;
  }

  private List<String> keyIds() {
    return keys.keySet().stream().sorted().toList();
  }
}
