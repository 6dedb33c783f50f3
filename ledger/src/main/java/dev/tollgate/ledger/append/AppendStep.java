package dev.tollgate.ledger.append;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.chain.RecordedEvent;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.NoteSigner;
import dev.tollgate.ledger.checkpoint.SourceAccounting;
import dev.tollgate.ledger.privacy.PayloadSealer;
import dev.tollgate.ledger.trust.SourceTrust;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Integrates events into the chain: source events in; signed records, the Merkle tree and the chain
 * head extended out, as a {@link StagedBatch} for one transaction. It talks to no broker and
 * persists nothing (the tree's hash store may live in the data directory, where only a later commit
 * makes its leaves count), so every rule of appending is reached by a test in milliseconds.
 *
 * <p>Every record it builds goes through the caller's {@link LedgerVerifier} exactly as the auditor
 * will check it; the verifier then holds the batch uncommitted until the caller marks it committed
 * or rolls it back. Checkpoints follow {@link CheckpointPolicy}; a checkpoint is signed only after
 * the verifier proved the tree consistent with the last one, so a fork is refused, never signed.
 * Not thread-safe: one writer thread.
 */
public final class AppendStep {

  private final RecordSigner signer;
  private final List<RecordSigner> previousSigners;
  private final CheckpointIssuer issuer;
  private final CheckpointPolicy policy;
  private final SourceTrust trust;
  private final PayloadSealer sealer;
  private final EventPreparation preparation;
  private final Clock clock;

  /**
   * @param signer the ledger key that signs records
   * @param noteSigner the same key, signing checkpoint notes
   * @param previousSigners keys the ledger was signed with before, which may announce {@code
   *     signer}
   * @param policy when checkpoints are appended, under which origin
   * @param clock the time records state
   */
  public AppendStep(
      RecordSigner signer,
      NoteSigner noteSigner,
      List<? extends RecordSigner> previousSigners,
      CheckpointPolicy policy,
      Clock clock) {
    this(signer, noteSigner, previousSigners, policy, SourceTrust.none(), clock);
  }

  /**
   * @param signer the ledger key that signs records
   * @param noteSigner the same key, signing checkpoint notes
   * @param previousSigners keys the ledger was signed with before, which may announce {@code
   *     signer}
   * @param policy when checkpoints are appended, under which origin
   * @param trust the event-signing keys trusted per source topic, whose verdict each record states
   * @param clock the time records state
   */
  public AppendStep(
      RecordSigner signer,
      NoteSigner noteSigner,
      List<? extends RecordSigner> previousSigners,
      CheckpointPolicy policy,
      SourceTrust trust,
      Clock clock) {
    this(signer, noteSigner, previousSigners, policy, trust, PayloadSealer.off(), clock);
  }

  /**
   * @param signer the ledger key that signs records
   * @param noteSigner the same key, signing checkpoint notes
   * @param previousSigners keys the ledger was signed with before, which may announce {@code
   *     signer}
   * @param policy when checkpoints are appended, under which origin
   * @param trust the event-signing keys trusted per source topic, whose verdict each record states
   * @param sealer which payload parts are sealed for erasure; it keeps them in its store before the
   *     record that commits to them is built (a rolled back batch leaves entries no record names,
   *     which an erasure by event id finds all the same)
   * @param clock the time records state
   */
  public AppendStep(
      RecordSigner signer,
      NoteSigner noteSigner,
      List<? extends RecordSigner> previousSigners,
      CheckpointPolicy policy,
      SourceTrust trust,
      PayloadSealer sealer,
      Clock clock) {
    this(
        signer,
        noteSigner,
        previousSigners,
        policy,
        trust,
        sealer,
        EventPreparation.inline(),
        clock);
  }

  /**
   * As above, with source events prepared (signature checked, payload read and digested) by {@code
   * preparation}, on a pool ahead of the chain step when it is {@link EventPreparation#parallel};
   * the caller closes it.
   */
  public AppendStep(
      RecordSigner signer,
      NoteSigner noteSigner,
      List<? extends RecordSigner> previousSigners,
      CheckpointPolicy policy,
      SourceTrust trust,
      PayloadSealer sealer,
      EventPreparation preparation,
      Clock clock) {
    if (!signer.publicKey().equals(noteSigner.publicKey())) {
      throw new IllegalArgumentException(
          "records and checkpoints are signed by the one ledger key");
    }
    this.signer = signer;
    this.previousSigners = List.copyOf(previousSigners);
    this.issuer = new CheckpointIssuer(policy.origin(), noteSigner);
    this.policy = policy;
    this.trust = trust;
    this.sealer = sealer;
    this.preparation = preparation;
    this.clock = clock;
  }

  /**
   * The records of one transaction: one per event the ledger does not hold yet with the same
   * content (a conflict, other content under a recorded id, is recorded and marked), and a
   * checkpoint after every {@link CheckpointPolicy#everyRecords()} records or when {@link
   * #checkpointDue} says the interval passed.
   *
   * @param lastCheckpointAt when the writer last appended (or recovered) a checkpoint
   * @throws CheckpointException when the tree is not consistent with the last checkpoint; the
   *     verifier then holds records the caller must roll back
   */
  public StagedBatch append(
      LedgerVerifier chain, List<SourceEvent> events, Instant lastCheckpointAt)
      throws CheckpointException {
    List<StagedRecord> staged = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    long unauthenticated = 0;
    Instant checkpointedAt = null;
    // Signature checks, payload reading and digests run ahead on the pool; the chain step below
    // takes them in the events' order.
    EventPreparation.Batch ready = preparation.start(events, trust);
    for (int i = 0; i < events.size(); i++) {
      SourceEvent event = events.get(i);
      EventPreparation.Ready readied = ready.get(i);
      RecordBuilder.Prepared prepared = readied.prepared();
      List<RecordedEvent> earlier = chain.records(event.eventId());
      boolean reread = chain.sources().accounts(event.source());
      // The event's signature is checked on what was consumed and stated in the signed record;
      // an unauthenticated event is recorded all the same, as evidence, flagged.
      LedgerRecord.Authentication authentication = readied.authentication();
      boolean authenticated =
          authentication.result() == LedgerRecord.Authentication.Result.VERIFIED;
      // A re-read offset is accounted already: its content, however authenticated, is held.
      Optional<RecordedEvent> same = sameContent(earlier, prepared, authenticated && !reread);
      if (same.isPresent()) {
        duplicates.add(event.eventId());
        if (!reread) {
          chain.sources().duplicate(event.source(), same.get().seq());
        }
        continue;
      }
      if (reread) {
        // Kafka offsets never change content: the source topic was recreated or rewritten.
        throw new IllegalStateException(
            "source offset "
                + event.source().offset()
                + " of "
                + event.source().topic()
                + "/"
                + event.source().partition()
                + " is accounted in the ledger, but now holds event "
                + event.eventId()
                + " with content the ledger does not hold: was the source topic recreated?");
      }
      Long conflictsWith = earlier.isEmpty() ? null : earlier.get(0).seq();
      if (conflictsWith != null) {
        conflicts.add(event.eventId());
      }
      Instant time = now();
      if (!authenticated) {
        unauthenticated++;
      }
      staged.add(
          verifyOwn(
              chain,
              RecordBuilder.built(
                  chain.head(), sealer.seal(prepared), authentication, time, signer, conflictsWith),
              time));
      if (recordsSinceCheckpoint(chain) >= policy.everyRecords()) {
        checkpointedAt = appendCheckpoint(chain, staged);
      }
    }
    if (checkpointDue(chain, lastCheckpointAt) || chain.sources().hasPendingDuplicates()) {
      // Duplicates leave no record: a checkpoint in the same transaction states them, so no
      // restart can lose them from the offset accounting.
      checkpointedAt = appendCheckpoint(chain, staged);
    }
    return new StagedBatch(
        staged,
        SourceRange.of(events),
        events.size(),
        events.size() - duplicates.size(),
        duplicates,
        conflicts,
        Optional.ofNullable(checkpointedAt),
        unauthenticated);
  }

  /**
   * Every distinct event is recorded: an event is skipped only when a record of its id holds the
   * same content (payload digest), as after a redelivery. Other content under a recorded id is a
   * conflict, recorded and marked with the first record's seq, never dropped. An unauthenticated
   * record never pre-empts a genuine event: a verified event ({@code authenticated}) is skipped
   * only for an authenticated record of the same content, else recorded (as a conflict).
   */
  private static Optional<RecordedEvent> sameContent(
      List<RecordedEvent> earlier, RecordBuilder.Prepared event, boolean authenticated) {
    for (RecordedEvent record : earlier) {
      if (record.payloadDigest().equals(event.payloadDigest())
          && (record.authenticated() || !authenticated)) {
        return Optional.of(record);
      }
    }
    return Optional.empty();
  }

  /** Whether records wait longer than the checkpoint interval for a checkpoint. */
  public boolean checkpointDue(LedgerVerifier chain, Instant lastCheckpointAt) {
    return recordsSinceCheckpoint(chain) > 0
        && !clock.instant().isBefore(lastCheckpointAt.plus(policy.interval()));
  }

  /** Whether the chain is empty or the signing key is in force on it: nothing to rotate. */
  public boolean signingKeyInForce(LedgerVerifier chain) {
    return chain.head().isEmpty() || chain.keyInForce(signer.publicKey().keyId()) != null;
  }

  /** The previous key in force on the chain, which can announce the signing key, if any. */
  public Optional<RecordSigner> announcer(LedgerVerifier chain) {
    return previousSigners.stream()
        .filter(s -> chain.keyInForce(s.publicKey().keyId()) != null)
        .findFirst();
  }

  /** The keys that may have signed the chain's first record: the signing key, then the previous. */
  public List<LedgerPublicKey> trustedKeys() {
    List<LedgerPublicKey> keys = new ArrayList<>();
    keys.add(signer.publicKey());
    previousSigners.forEach(s -> keys.add(s.publicKey()));
    return List.copyOf(keys);
  }

  /** The signing key. */
  public RecordSigner signer() {
    return signer;
  }

  /**
   * A key-rotation record signed by {@code announcer}, the key in force, announcing the signing
   * key: from the next seq on the chain is signed by the new key only.
   */
  public StagedBatch rotateKey(LedgerVerifier chain, RecordSigner announcer) {
    Instant time = now();
    RecordBuilder.Built value =
        RecordBuilder.keyRotationBuilt(chain.head(), signer.publicKey(), time, announcer);
    StagedRecord rotation = verifyOwn(chain, value, time, announcer);
    return new StagedBatch(
        List.of(rotation), List.of(), 0, 0, List.of(), List.of(), Optional.empty());
  }

  /** Signs a checkpoint of every record so far and stages it; returns when it was made. */
  private Instant appendCheckpoint(LedgerVerifier chain, List<StagedRecord> staged)
      throws CheckpointException {
    ChainHead head = chain.head();
    Checkpoint checkpoint = issuer.issue(chain.tree(), head.size(), chain.lastCheckpoint());
    ObjectNode payload = (ObjectNode) checkpoint.toPayload();
    payload.set(SourceAccounting.SOURCES_FIELD, chain.sources().statement());
    Instant time = now();
    staged.add(verifyOwn(chain, RecordBuilder.checkpointBuilt(head, payload, time, signer), time));
    return time;
  }

  /** Records appended since the last checkpoint, checkpoint records not counted. */
  private static long recordsSinceCheckpoint(LedgerVerifier chain) {
    long size = chain.head().size();
    return chain.lastCheckpoint().map(c -> size - c.size() - 1).orElse(size);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private StagedRecord verifyOwn(LedgerVerifier chain, RecordBuilder.Built built, Instant time) {
    return verifyOwn(chain, built, time, signer);
  }

  private static StagedRecord verifyOwn(
      LedgerVerifier chain, RecordBuilder.Built built, Instant time, RecordSigner by) {
    ChainEntry entry;
    byte[] value = built.value();
    try {
      // Everything but the signature this writer just made, and the canonical form it just wrote
      // from the same tree, is checked as the auditor would: shape, seq, prev, key in force,
      // payload digest, distinct events, checkpoint and rotation rules.
      entry = chain.verifyNext(value, ChainVerifier.ownRecord(built, by.publicKey()));
    } catch (ChainException e) {
      throw new IllegalStateException(
          "the writer built record " + e.seq() + " that its own verifier rejects: " + e.describe(),
          e);
    }
    return new StagedRecord(entry.seq(), entry.eventId(), time, value, built.tree());
  }
}
