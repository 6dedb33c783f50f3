package dev.tollgate.ledger.writer;

import dev.tollgate.ledger.chain.ChainEntry;
import dev.tollgate.ledger.chain.ChainException;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.ChainVerifier;
import dev.tollgate.ledger.chain.LedgerPublicKey;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.RecordSigner;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointException;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.checkpoint.NoteSigner;
import dev.tollgate.ledger.index.LedgerIndex;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.topic.LedgerTopicException;
import dev.tollgate.ledger.topic.LedgerTopicReader;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.cloudevents.NotACloudEventException;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * Appends one signed, chained record per source event to the ledger topic, on its own thread. Each
 * poll of the source topics becomes one Kafka transaction that holds the new ledger records and the
 * consumed offsets, so a record and the offset that says "done" are written together or not at all.
 *
 * <p>On start the writer first fences any earlier writer with the same transactional id, then reads
 * the whole ledger back through the auditor's {@link LedgerVerifier} to learn the head, every event
 * id already recorded, the Merkle tree and the last checkpoint, verifying every stored checkpoint
 * on the way. It refuses to extend a chain that does not verify, and stops for good once another
 * writer fences it.
 *
 * <p>Every {@link CheckpointPolicy#everyRecords()} records, or after {@link
 * CheckpointPolicy#interval()} if the tree grew, it appends a checkpoint record: a signed note of
 * the tree of all records before it, in the same transaction as the records it covers. It signs a
 * checkpoint only after proving the tree consistent with the last one, and stops for good ({@link
 * WriterState#CHECKPOINT_REFUSED}) rather than sign a fork.
 */
public final class LedgerWriter implements AutoCloseable {

  /** CloudEvents source of ledger records. */
  public static final URI SOURCE = URI.create("/tollgate/ledger");

  private static final Logger LOG = Logger.getLogger(LedgerWriter.class);
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private enum Outcome {
    CONTINUE,
    RETRY,
    STOP
  }

  private final WriterSettings settings;
  private final RecordSigner signer;
  private final List<RecordSigner> previousSigners;
  private final CheckpointIssuer issuer;
  private final Clock clock;
  private final Thread thread;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final AtomicLong appended = new AtomicLong();
  private final AtomicLong duplicatesSkipped = new AtomicLong();
  private final AtomicLong fencings = new AtomicLong();
  private volatile long lag;
  private volatile long recoveryReads;
  private LedgerDataDir dataDir;
  private volatile WriterState state = WriterState.STARTING;
  private volatile ChainHead committedHead;
  private volatile CommittedLedger committed;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile LedgerTopicReader reader;
  private SeqOffsets offsets;
  private LedgerIndex index;
  private Instant lastCheckpointAt;
  private ChainHead resumeFrom;

  /** A writer signing records and checkpoints with the ledger key. */
  public LedgerWriter(WriterSettings settings, LedgerSigner signer, Clock clock) {
    this(settings, signer, signer, List.of(), clock);
  }

  /**
   * A writer signing with {@code signer} that, when the chain's key in force is one of {@code
   * previousSigners}, first appends a key-rotation record signed by that old key announcing the new
   * one.
   */
  public LedgerWriter(
      WriterSettings settings,
      LedgerSigner signer,
      List<LedgerSigner> previousSigners,
      Clock clock) {
    this(settings, signer, signer, List.copyOf(previousSigners), clock);
  }

  /** A writer signing records with {@code signer} and checkpoint notes with {@code noteSigner}. */
  public LedgerWriter(
      WriterSettings settings, RecordSigner signer, NoteSigner noteSigner, Clock clock) {
    this(settings, signer, noteSigner, List.of(), clock);
  }

  private LedgerWriter(
      WriterSettings settings,
      RecordSigner signer,
      NoteSigner noteSigner,
      List<? extends RecordSigner> previousSigners,
      Clock clock) {
    if (!signer.publicKey().equals(noteSigner.publicKey())) {
      throw new IllegalArgumentException(
          "records and checkpoints are signed by the one ledger key");
    }
    this.settings = settings;
    this.signer = signer;
    this.previousSigners = List.copyOf(previousSigners);
    this.issuer = new CheckpointIssuer(settings.checkpoints().origin(), noteSigner);
    this.clock = clock;
    this.thread = new Thread(this::run, "ledger-writer");
    this.thread.setDaemon(true);
  }

  /** Starts the writer thread. */
  public void start() {
    thread.start();
  }

  /** What the writer is doing. */
  public WriterState state() {
    return state;
  }

  /** The committed chain head, once the chain has been recovered. */
  public Optional<ChainHead> head() {
    return Optional.ofNullable(committedHead);
  }

  /**
   * The committed ledger (head, latest checkpoint, tree, offsets), once the chain has been
   * recovered: what the HTTP API serves.
   */
  public Optional<CommittedLedger> committed() {
    return Optional.ofNullable(committed);
  }

  /** The topic the writer appends to. */
  public String ledgerTopic() {
    return settings.ledgerTopic();
  }

  /** Records appended and committed since this writer started. */
  public long appendedCount() {
    return appended.get();
  }

  /** Events skipped because the ledger already held a record of them. */
  public long duplicatesSkippedCount() {
    return duplicatesSkipped.get();
  }

  /**
   * Ledger records read from the topic by the last recovery: the whole topic without a data
   * directory, the records since the kept head (and the head itself) with one.
   */
  public long recoveryReadCount() {
    return recoveryReads;
  }

  /** Times this writer found itself fenced by another writer with its transactional id. */
  public long fencedCount() {
    return fencings.get();
  }

  /**
   * Source events not yet appended, summed over the source partitions this writer reads, as of its
   * last poll (0 before the first).
   */
  public long lag() {
    return lag;
  }

  /** Stops the writer and waits for its thread; an open transaction is aborted, not committed. */
  @Override
  public void close() {
    stopRequested.countDown();
    KafkaConsumer<byte[], byte[]> polling = consumer;
    if (polling != null) {
      polling.wakeup();
    }
    LedgerTopicReader recovering = reader;
    if (recovering != null) {
      recovering.wakeup();
    }
    if (thread.isAlive()) {
      try {
        thread.join(CLOSE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean stopping() {
    return stopRequested.getCount() == 0;
  }

  // TODO(issue 14): the ledger writer is being rewritten (recovery, append step, Kafka port); this
  // top-level guard of the writer thread (FAILED state, logged) goes with it.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private void run() {
    try {
      while (!stopping()) {
        if (session() == Outcome.STOP) {
          return;
        }
        pause();
      }
    } catch (RuntimeException e) {
      state = WriterState.FAILED;
      LOG.error("ledger writer stopped by an unexpected error; it writes nothing more", e);
    } finally {
      if (state == WriterState.STARTING
          || state == WriterState.RECOVERING
          || state == WriterState.WRITING) {
        state = WriterState.STOPPED;
      }
      if (dataDir != null) {
        dataDir.close();
        dataDir = null;
      }
    }
  }

  /** One producer and consumer lifetime: fence, recover, then append until stopped or broken. */
  private Outcome session() {
    state = WriterState.RECOVERING;
    try (KafkaProducer<byte[], byte[]> producer = newProducer()) {
      try {
        producer.initTransactions();
      } catch (ProducerFencedException e) {
        return fenced();
      } catch (KafkaException e) {
        LOG.warnf(
            "cannot initialise ledger transactions (%s); retrying in %s",
            e, settings.retryBackoff());
        return Outcome.RETRY;
      }
      LedgerVerifier chain = startingPoint();
      if (chain == null) {
        return Outcome.RETRY;
      }
      Outcome recovered = recover(chain);
      if (recovered != Outcome.CONTINUE) {
        return recovered;
      }
      Outcome rotated = rotateKeyIfNeeded(producer, chain);
      if (rotated != Outcome.CONTINUE) {
        return rotated;
      }
      return append(producer, chain);
    }
  }

  /**
   * Where recovery starts: from the state kept in the data directory when there is one, otherwise
   * from an empty chain (and an emptied directory). Null when the directory cannot be used at all.
   */
  private LedgerVerifier startingPoint() {
    Optional<String> origin = Optional.of(settings.checkpoints().origin());
    List<LedgerPublicKey> trusted = new ArrayList<>();
    trusted.add(signer.publicKey());
    previousSigners.forEach(s -> trusted.add(s.publicKey()));
    offsets = new SeqOffsets();
    index = new LedgerIndex();
    resumeFrom = null;
    if (settings.dataDir().isEmpty()) {
      return LedgerVerifier.trusting(trusted, origin, MerkleTree.inMemory());
    }
    try {
      if (dataDir == null) {
        dataDir = LedgerDataDir.open(settings.dataDir().get(), settings.ledgerTopic());
      }
      Optional<LedgerDataDir.Stored> stored;
      try {
        stored = dataDir.load();
      } catch (IOException e) {
        LOG.warnf("%s; rebuilding it from the ledger topic", e.getMessage());
        dataDir.reset();
        stored = Optional.empty();
      }
      if (stored.isEmpty() || stored.get().head().isEmpty()) {
        dataDir.reset();
        return LedgerVerifier.trusting(trusted, origin, dataDir.tree());
      }
      LedgerDataDir.Stored kept = stored.get();
      offsets = kept.offsets();
      index = kept.index();
      resumeFrom = kept.head();
      LOG.infof(
          "ledger data in %s holds %d records; reading the topic from seq %d on",
          dataDir.directory(), kept.head().size(), kept.head().headSeq());
      return LedgerVerifier.resuming(
          kept.head(),
          kept.keysInForce(),
          kept.eventIds(),
          origin,
          dataDir.tree(),
          kept.checkpoint(),
          kept.checkpointKey(),
          kept.checkpointCount());
    } catch (IOException e) {
      LOG.warnf(
          "cannot use the ledger data directory %s (%s); retrying in %s",
          settings.dataDir().get(), e.getMessage(), settings.retryBackoff());
      if (dataDir != null) {
        dataDir.close();
        dataDir = null;
      }
      return null;
    }
  }

  private Outcome recover(LedgerVerifier chain) {
    try (LedgerTopicReader topic =
        new LedgerTopicReader(settings.connection(), settings.ledgerTopic(), RECOVERY_TIMEOUT)) {
      reader = topic;
      if (stopping()) {
        return Outcome.STOP;
      }
      SeqOffsets recovering = offsets;
      LedgerIndex indexing = index;
      ChainHead kept = resumeFrom;
      long[] visited = {0};
      long fromOffset = kept == null ? 0 : recovering.offset(kept.headSeq());
      recoveryReads = 0;
      topic.readFrom(
          fromOffset,
          (offset, value) -> {
            recoveryReads++;
            if (kept != null && visited[0]++ == 0) {
              requireKeptHead(kept, chain, offset, fromOffset, value);
              return;
            }
            long seq = chain.verifyNext(value).seq();
            indexing.add(seq, value);
            recovering.add(offset);
            if (dataDir != null) {
              dataDir.add(seq, offset, value);
            }
          });
      if (kept != null && visited[0] == 0) {
        throw new ChainException(
            kept.headSeq(),
            ChainException.Reason.TRUNCATED,
            "the ledger topic ends before offset "
                + fromOffset
                + ", where this writer committed seq "
                + kept.headSeq()
                + "; records were cut off its tail (delete "
                + settings.dataDir().orElseThrow()
                + " only if the topic as it is now is the ledger to trust)");
      }
    } catch (ChainException e) {
      state = WriterState.CHAIN_INVALID;
      LOG.errorf(
          "ledger topic %s does not verify at seq %d: %s; refusing to write until it is repaired",
          settings.ledgerTopic(), e.seq(), e.describe());
      return Outcome.STOP;
    } catch (LedgerTopicException e) {
      if (stopping()) {
        return Outcome.STOP;
      }
      LOG.warnf(
          "cannot read the ledger back (%s); retrying in %s",
          e.getMessage(), settings.retryBackoff());
      return Outcome.RETRY;
    } finally {
      reader = null;
    }
    chain.markCommitted();
    if (!persist(chain)) {
      return Outcome.RETRY;
    }
    publish(chain);
    lastCheckpointAt = clock.instant();
    LOG.infof(
        "ledger %s recovered: %d records, head %s, %d checkpoints verified, latest %s",
        settings.ledgerTopic(),
        chain.head().size(),
        chain.head().isEmpty() ? "none" : chain.head().headHash(),
        chain.checkpointCount(),
        chain.committedCheckpoint().map(Checkpoint::toString).orElse("none"));
    return Outcome.CONTINUE;
  }

  private Outcome append(KafkaProducer<byte[], byte[]> producer, LedgerVerifier chain) {
    try (KafkaConsumer<byte[], byte[]> sources = newConsumer()) {
      consumer = sources;
      if (stopping()) {
        return Outcome.STOP;
      }
      sources.subscribe(List.copyOf(settings.sourceTopics().keySet()));
      state = WriterState.WRITING;
      while (!stopping()) {
        ConsumerRecords<byte[], byte[]> records = sources.poll(settings.pollTimeout());
        lag = currentLag(sources);
        if (!records.isEmpty() || checkpointDueByTime(chain)) {
          Outcome outcome = transaction(producer, sources, chain, records);
          if (outcome != Outcome.CONTINUE) {
            return outcome;
          }
        }
      }
      return Outcome.STOP;
    } catch (WakeupException e) {
      return stopping() ? Outcome.STOP : Outcome.RETRY;
    } catch (KafkaException e) {
      LOG.warnf("reading the source topics failed (%s); starting over", e);
      return Outcome.RETRY;
    } finally {
      consumer = null;
    }
  }

  // TODO(issue 14): the ledger writer is being rewritten; until then a bug rolls back the chain and
  // aborts the transaction, and is rethrown unchanged to run()'s guard.
  @SuppressWarnings("checkstyle:IllegalCatch")
  private Outcome transaction(
      KafkaProducer<byte[], byte[]> producer,
      KafkaConsumer<byte[], byte[]> sources,
      LedgerVerifier chain,
      ConsumerRecords<byte[], byte[]> records) {
    long appendedNow = 0;
    long duplicatesNow = 0;
    List<Sent> sent = new ArrayList<>();
    Instant checkpointedAt = null;
    try {
      producer.beginTransaction();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        SourceEvent event = sourceEvent(record);
        if (chain.recorded(event.eventId())) {
          duplicatesNow++;
          LOG.debugf("event %s is already in the ledger; skipped", event.eventId());
          continue;
        }
        Instant time = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        byte[] value = RecordBuilder.build(chain.head(), event, time, signer);
        sent.add(
            send(producer, settings.ledgerTopic(), verifyOwn(chain, value, signer), value, time));
        appendedNow++;
        if (recordsSinceCheckpoint(chain) >= settings.checkpoints().everyRecords()) {
          checkpointedAt = appendCheckpoint(producer, chain, sent);
        }
      }
      if (checkpointDueByTime(chain)) {
        checkpointedAt = appendCheckpoint(producer, chain, sent);
      }
      if (!records.isEmpty()) {
        producer.sendOffsetsToTransaction(nextOffsets(records), sources.groupMetadata());
      }
      producer.commitTransaction();
    } catch (CheckpointException e) {
      chain.rollback();
      abort(producer);
      state = WriterState.CHECKPOINT_REFUSED;
      LOG.errorf(
          "refusing to sign a checkpoint of ledger %s: %s; the writer stops and writes nothing more",
          settings.ledgerTopic(), e.describe());
      return Outcome.STOP;
    } catch (KafkaException e) {
      chain.rollback();
      if (isFenced(e)) {
        return fenced();
      }
      LOG.warnf(
          "ledger transaction of %d events failed (%s); they will be appended again",
          records.count(), e);
      if (!abort(producer)) {
        return state == WriterState.FENCED ? Outcome.STOP : Outcome.RETRY;
      }
      seekBack(sources, records);
      pause();
      return Outcome.CONTINUE;
    } catch (RuntimeException e) {
      chain.rollback();
      abort(producer);
      throw e;
    }
    indexCommitted(sent, chain);
    boolean persisted = persist(chain);
    if (persisted) {
      publish(chain);
    }
    if (checkpointedAt != null) {
      lastCheckpointAt = checkpointedAt;
    }
    appended.addAndGet(appendedNow);
    duplicatesSkipped.addAndGet(duplicatesNow);
    // The tree lived in the dropped directory: recover again (from the topic) before going on.
    return persisted ? Outcome.CONTINUE : Outcome.RETRY;
  }

  /**
   * Signs a checkpoint of every record so far (the ones of this transaction included) and appends
   * it in this transaction; returns when it was made.
   */
  private Instant appendCheckpoint(
      KafkaProducer<byte[], byte[]> producer, LedgerVerifier chain, List<Sent> sent)
      throws CheckpointException {
    ChainHead head = chain.head();
    Checkpoint checkpoint = issuer.issue(chain.tree(), head.size(), chain.lastCheckpoint());
    Instant time = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    byte[] value = RecordBuilder.checkpoint(head, checkpoint.toPayload(), time, signer);
    sent.add(send(producer, settings.ledgerTopic(), verifyOwn(chain, value, signer), value, time));
    LOG.debugf("checkpoint %s appended at seq %d", checkpoint, head.size());
    return time;
  }

  private static Sent send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      ChainEntry entry,
      byte[] value,
      Instant time) {
    Future<RecordMetadata> metadata =
        producer.send(
            new ProducerRecord<byte[], byte[]>(
                topic,
                (Integer) null,
                (byte[]) null,
                value,
                KafkaCloudEvents.headers(
                    CloudEventAttributes.of(
                        EventType.LEDGER_RECORD,
                        "ledger:" + entry.seq(),
                        SOURCE,
                        entry.eventId(),
                        time))));
    return new Sent(entry.seq(), value, metadata);
  }

  /** A record sent in the open transaction. */
  private record Sent(long seq, byte[] value, Future<RecordMetadata> metadata) {}

  /**
   * Checks that the record the topic holds where the data directory says the head is, is that head:
   * the same offset, the same record hash, the same leaf hash in the kept tree.
   */
  private static void requireKeptHead(
      ChainHead kept, LedgerVerifier chain, long offset, long expectedOffset, byte[] value)
      throws ChainException {
    boolean same =
        offset == expectedOffset
            && sameRecordHash(value, kept.headHash())
            && Arrays.equals(MerkleHash.leaf(value), chain.tree().leafHash(kept.headSeq()));
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
    } catch (MalformedJsonException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  /**
   * After a committed transaction: the records' topic offsets, the in-memory index and the data
   * directory learn what was appended, and the chain head counts as committed.
   */
  private void indexCommitted(List<Sent> sent, LedgerVerifier chain) {
    for (Sent record : sent) {
      long offset = offsetOf(record.metadata());
      offsets.add(offset);
      index.add(record.seq(), record.value());
      if (dataDir != null) {
        dataDir.add(record.seq(), offset, record.value());
      }
    }
    chain.markCommitted();
  }

  /**
   * Writes what was committed to the data directory; a failure there costs a longer recovery on the
   * next start (the directory is then rebuilt), never a record.
   */
  private boolean persist(LedgerVerifier chain) {
    if (dataDir == null) {
      return true;
    }
    try {
      dataDir.commit(
          chain.head(),
          chain.keysInForce(),
          chain.lastCheckpoint(),
          chain.lastCheckpointKey(),
          chain.checkpointCount());
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

  /**
   * When the key in force on the chain is not this writer's signing key but one of its previous
   * keys, appends (in a transaction of its own) a key-rotation record signed by that old key that
   * announces the signing key; from then on the chain is signed by the new key only.
   */
  private Outcome rotateKeyIfNeeded(KafkaProducer<byte[], byte[]> producer, LedgerVerifier chain) {
    if (chain.head().isEmpty() || chain.keyInForce(signer.publicKey().keyId()) != null) {
      return Outcome.CONTINUE;
    }
    Optional<RecordSigner> old =
        previousSigners.stream()
            .filter(s -> chain.keyInForce(s.publicKey().keyId()) != null)
            .findFirst();
    if (old.isEmpty()) {
      state = WriterState.KEY_NOT_IN_FORCE;
      LOG.errorf(
          "ledger %s is signed by key(s) %s; the signing key %s is not among them and no previous"
              + " key can announce it; the writer writes nothing",
          settings.ledgerTopic(),
          chain.keysInForce().stream().map(k -> k.keyId()).sorted().toList(),
          signer.publicKey().keyId());
      return Outcome.STOP;
    }
    List<Sent> sent = new ArrayList<>();
    try {
      producer.beginTransaction();
      Instant time = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      byte[] value = RecordBuilder.keyRotation(chain.head(), signer.publicKey(), time, old.get());
      sent.add(
          send(producer, settings.ledgerTopic(), verifyOwn(chain, value, old.get()), value, time));
      producer.commitTransaction();
    } catch (KafkaException e) {
      chain.rollback();
      if (isFenced(e)) {
        return fenced();
      }
      abort(producer);
      LOG.warnf("appending the key rotation failed (%s); retrying", e);
      return Outcome.RETRY;
    }
    indexCommitted(sent, chain);
    if (!persist(chain)) {
      return Outcome.RETRY;
    }
    publish(chain);
    LOG.infof(
        "ledger key rotated at seq %d: key %s announced by key %s",
        chain.head().headSeq(), signer.publicKey().keyId(), old.get().publicKey().keyId());
    return Outcome.CONTINUE;
  }

  /** Records appended since the last checkpoint, checkpoint records not counted. */
  private static long recordsSinceCheckpoint(LedgerVerifier chain) {
    long size = chain.head().size();
    return chain.lastCheckpoint().map(c -> size - c.size() - 1).orElse(size);
  }

  private boolean checkpointDueByTime(LedgerVerifier chain) {
    return recordsSinceCheckpoint(chain) > 0
        && !clock.instant().isBefore(lastCheckpointAt.plus(settings.checkpoints().interval()));
  }

  private static long offsetOf(Future<RecordMetadata> record) {
    try {
      // The transaction committed, so every send in it completed.
      return record.get().offset();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a send of a committed transaction failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the offset of a committed record", e);
    }
  }

  private void publish(LedgerVerifier chain) {
    committedHead = chain.head();
    committed =
        new CommittedLedger(
            chain.head(), chain.committedCheckpoint(), chain.tree(), offsets, index);
  }

  private SourceEvent sourceEvent(ConsumerRecord<byte[], byte[]> record) {
    LedgerRecord.Kind kind = settings.sourceTopics().get(record.topic());
    if (kind == null) {
      throw new IllegalStateException("polled " + record.topic() + ", which is not a source topic");
    }
    LedgerRecord.SourcePosition position =
        new LedgerRecord.SourcePosition(record.topic(), record.partition(), record.offset());
    try {
      CloudEventAttributes attributes = KafkaCloudEvents.read(record.headers());
      return new SourceEvent(kind, attributes.id(), attributes.type(), position, record.value());
    } catch (NotACloudEventException e) {
      // Fail closed: an event without a usable id is still recorded, under its position.
      String eventId = SourceEvent.positionId(record.topic(), record.partition(), record.offset());
      LOG.warnf(
          "event at %s has no usable CloudEvents id (%s); recording it with event id %s",
          eventId, e.getMessage(), eventId);
      return new SourceEvent(kind, eventId, null, position, record.value());
    }
  }

  private static ChainEntry verifyOwn(LedgerVerifier chain, byte[] value, RecordSigner by) {
    try {
      // Everything but the signature this writer just made is checked as the auditor would.
      return chain.verifyNext(value, ChainVerifier.ownRecord(value, by.publicKey()));
    } catch (ChainException e) {
      throw new IllegalStateException(
          "the writer built record " + e.seq() + " that its own verifier rejects: " + e.describe(),
          e);
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(
      ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> inPartition = records.records(partition);
      long last = inPartition.get(inPartition.size() - 1).offset();
      offsets.put(partition, new OffsetAndMetadata(last + 1));
    }
    return offsets;
  }

  /**
   * Every record before this batch was committed with the previous transaction, so the first offset
   * of each partition in the batch is that partition's last committed offset.
   */
  private static void seekBack(
      KafkaConsumer<byte[], byte[]> sources, ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition partition : records.partitions()) {
      sources.seek(partition, records.records(partition).get(0).offset());
    }
  }

  /** Aborts the open transaction; false when the producer cannot go on and must be replaced. */
  private boolean abort(KafkaProducer<byte[], byte[]> producer) {
    try {
      producer.abortTransaction();
      return true;
    } catch (KafkaException e) {
      if (isFenced(e)) {
        fenced();
      } else {
        LOG.warnf("aborting the ledger transaction failed (%s); starting over", e);
      }
      return false;
    }
  }

  private static long currentLag(KafkaConsumer<byte[], byte[]> sources) {
    long total = 0;
    for (TopicPartition partition : sources.assignment()) {
      total += sources.currentLag(partition).orElse(0);
    }
    return total;
  }

  private Outcome fenced() {
    state = WriterState.FENCED;
    fencings.incrementAndGet();
    LOG.errorf(
        "another ledger writer with transactional id %s took over; this one writes nothing more",
        settings.transactionalId());
    return Outcome.STOP;
  }

  private static boolean isFenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ProducerFencedException) {
        return true;
      }
    }
    return false;
  }

  private void pause() {
    try {
      stopRequested.await(settings.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopRequested.countDown();
    }
  }

  private KafkaProducer<byte[], byte[]> newProducer() {
    Map<String, Object> props = new HashMap<>(settings.connection());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, settings.transactionalId());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LedgerRecord.MAX_BYTES);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<byte[], byte[]> newConsumer() {
    Map<String, Object> props = new HashMap<>(settings.connection());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
    // Static membership: a writer restarted after a crash takes its partitions back at once
    // instead of waiting for the dead member's session to time out; one writer per chain anyway.
    props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.transactionalId());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
