package dev.tollgate.ledger.bench;

import dev.tollgate.deploy.kafka.EmbeddedKafka;
import dev.tollgate.deploy.kafka.TemporaryDirectory;
import dev.tollgate.ledger.append.CheckpointPolicy;
import dev.tollgate.ledger.audit.ParallelVerifier;
import dev.tollgate.ledger.audit.SignatureMode;
import dev.tollgate.ledger.chain.ChainHead;
import dev.tollgate.ledger.chain.RecordBuilder;
import dev.tollgate.ledger.chain.SourceEvent;
import dev.tollgate.ledger.checkpoint.Checkpoint;
import dev.tollgate.ledger.checkpoint.CheckpointIssuer;
import dev.tollgate.ledger.checkpoint.LedgerVerifier;
import dev.tollgate.ledger.merkle.FileHashStore;
import dev.tollgate.ledger.merkle.MerkleHash;
import dev.tollgate.ledger.merkle.MerkleTree;
import dev.tollgate.ledger.signing.LedgerSigner;
import dev.tollgate.ledger.testing.EventKeys;
import dev.tollgate.ledger.testing.TestKeys;
import dev.tollgate.ledger.testing.Topics;
import dev.tollgate.ledger.trust.SourceTrust;
import dev.tollgate.ledger.writer.LedgerWriter;
import dev.tollgate.ledger.writer.WriterSettings;
import dev.tollgate.ledger.writer.WriterState;
import dev.tollgate.schemas.SuppressForbidden;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ledger's benchmarks side by side with their ceilings, in one JMH run ({@code
 * ledger/bench/run}; never run by the tests), all on 4 KB GitHub push trigger records ({@link
 * PushTriggers}): raw BouncyCastle Ed25519 (what the ledger signs and verifies with) signing on one
 * thread and verifying on two, over the signed bytes of such a record; appends per second through
 * the transactional writer against a real in-JVM broker; auditor verification per second on two
 * threads; and an inclusion proof in a 10-million-record tree on disk. Targets (issue 17, section
 * 8): 10,000 appends/s and 30,000 verified records/s on two cores; on a loaded machine, compare
 * each with its ceiling in the same run.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LedgerBenchmark {

  /** About the signed bytes of a ledger record of a 4 KB push trigger. */
  private static final byte[] MESSAGE = new byte[4600];

  /** A key and a signature for the raw BouncyCastle rates. */
  @State(Scope.Benchmark)
  public static class Raw {
    byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];

    @Setup
    public void setUp() {
      ThreadLocalRandom.current().nextBytes(MESSAGE);
      ThreadLocalRandom.current().nextBytes(seed);
      Ed25519.generatePublicKey(seed, 0, publicKey, 0);
      Ed25519.sign(seed, 0, publicKey, 0, MESSAGE, 0, MESSAGE.length, signature, 0);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @Threads(1)
  public byte[] rawSign_1thread(Raw raw) {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(raw.seed, 0, raw.publicKey, 0, MESSAGE, 0, MESSAGE.length, signature, 0);
    return signature;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @Threads(2)
  public boolean rawVerify_2threads(Raw raw) {
    return Ed25519.verify(raw.signature, 0, raw.publicKey, 0, MESSAGE, 0, MESSAGE.length);
  }

  /**
   * A ledger of signed records to verify, as the auditor would read it: push trigger records with a
   * checkpoint record after every {@value #EVERY} of them, the writer's default.
   */
  @State(Scope.Benchmark)
  public static class Audit {
    static final int RECORDS = 20_000;
    static final int EVERY = (int) CheckpointPolicy.DEFAULT_EVERY_RECORDS;
    static final String ORIGIN = "bench.tollgate.dev/ledger";
    LedgerSigner signer;
    List<byte[]> records;

    @Setup
    public void setUp() throws Exception {
      signer = TestKeys.signer();
      PushTriggers triggers = new PushTriggers();
      LedgerVerifier ledger =
          LedgerVerifier.trusting(
              List.of(signer.publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());
      CheckpointIssuer issuer = new CheckpointIssuer(ORIGIN, signer);
      Instant time = Instant.parse("2026-01-01T00:00:00Z");
      records = new ArrayList<>(RECORDS + RECORDS / EVERY);
      for (int i = 0; i < RECORDS; i++) {
        SourceEvent event = triggers.event(i, false);
        ChainHead head = ledger.head();
        byte[] value =
            RecordBuilder.build(
                head, event, EventKeys.genuine(event), time.plusMillis(head.size()), signer);
        ledger.verifyNext(value);
        records.add(value);
        if ((i + 1) % EVERY == 0) {
          head = ledger.head();
          Checkpoint checkpoint = issuer.issue(ledger.tree(), head.size(), ledger.lastCheckpoint());
          byte[] record =
              RecordBuilder.checkpoint(
                  head, checkpoint.toPayload(), time.plusMillis(head.size()), signer);
          ledger.verifyNext(record);
          records.add(record);
        }
      }
    }

    long verify(SignatureMode mode) throws Exception {
      LedgerVerifier ledger =
          LedgerVerifier.trusting(
              List.of(signer.publicKey()), Optional.of(ORIGIN), MerkleTree.inMemory());
      try (ParallelVerifier verifier = new ParallelVerifier(ledger, 2, mode, null, (e, v) -> {})) {
        long offset = 0;
        for (byte[] record : records) {
          verifier.accept(offset++, record);
        }
        verifier.finish();
        if (verifier.abandoned().isPresent()) {
          throw new IllegalStateException("the benchmark ledger did not verify");
        }
        return verifier.verified();
      }
    }
  }

  /** The auditor's default: checkpoints authenticate the records they cover. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OperationsPerInvocation(Audit.RECORDS + Audit.RECORDS / Audit.EVERY)
  public long auditorVerify_2threads(Audit audit) throws Exception {
    return audit.verify(SignatureMode.CHECKPOINTS);
  }

  /** {@code verify --every-signature}: every record's signature as well. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OperationsPerInvocation(Audit.RECORDS + Audit.RECORDS / Audit.EVERY)
  public long auditorVerifyEverySignature_2threads(Audit audit) throws Exception {
    return audit.verify(SignatureMode.EVERY_RECORD);
  }

  /**
   * A real broker and the transactional writer draining a backlog: before each iteration, with the
   * writer stopped, {@value #BACKLOG} source events are written (and, for {@link SignedWriter},
   * signed by the gateway's key) outside the measured time; then a writer starts on the same data
   * directory and transactional id, as after a restart, and the iteration measures how long it
   * takes to append them all. That is the rate the writer sustains when events arrive faster than
   * it appends, with the broker on the same two cores; the producers of the source events (the
   * gateway, the verifier, the run watch) are other processes and are not measured. {@link
   * UnsignedWriter}: the writer trusts no key and records every event as unsigned. Each iteration
   * prints the CPU each part of the process spent per record ({@link ThreadCpu}).
   */
  public abstract static class Writer {
    static final int BACKLOG = 40_000;

    /** Whether the events carry the gateway's signature and the writer trusts its key. */
    abstract boolean signed();

    EmbeddedKafka kafka;
    TemporaryDirectory dataDir;
    WriterSettings settings;
    LedgerSigner signer;
    LedgerWriter writer;
    KafkaProducer<byte[], byte[]> producer;
    String triggers;
    PushTriggers payloads = new PushTriggers();
    long sent;
    ThreadCpu.Snapshot before;
    int drained;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      ProductionLogging.apply();
      kafka = EmbeddedKafka.builder().start();
      dataDir = TemporaryDirectory.create("tollgate-bench-writer-");
      triggers = Topics.create(kafka, EventType.TRIGGER);
      String ledger = Topics.create(kafka, EventType.LEDGER_RECORD);
      settings =
          new WriterSettings(
              kafka.bootstrapServers(),
              Map.of(triggers, LedgerRecord.Kind.TRIGGER),
              ledger,
              "bench-" + UUID.randomUUID(),
              "bench-writer-" + UUID.randomUUID(),
              Duration.ofMillis(50),
              Duration.ofMillis(200),
              CheckpointPolicy.defaults(ledger),
              Optional.of(dataDir.path()));
      producer = Topics.producer(kafka.bootstrapServers());
      signer = TestKeys.signer();
    }

    /** Writes the backlog with no writer running, then starts one. */
    @Setup(Level.Iteration)
    public void backlogThenStart() throws Exception {
      boolean signed = signed();
      for (int i = 0; i < BACKLOG; i++) {
        long n = sent++;
        String id = "github:bench-" + n;
        byte[] data = payloads.data(n);
        Headers headers = Topics.ceHeaders(EventType.TRIGGER, id);
        if (signed) {
          EventKeys.sign(headers, data, EventKeys.gateway());
        }
        producer.send(
            new ProducerRecord<>(
                triggers, null, id.getBytes(StandardCharsets.UTF_8), data, headers));
      }
      producer.flush();
      SourceTrust trust = signed ? EventKeys.trust() : SourceTrust.none();
      writer = new LedgerWriter(settings, signer, List.of(), trust, Clock.systemUTC());
      writer.start();
      while (writer.state() != WriterState.WRITING) {
        if (writer.state().isFinal()) {
          throw new IllegalStateException("writer stopped: " + writer.state());
        }
        Thread.sleep(5);
      }
      drained = 0;
      before = ThreadCpu.snapshot();
    }

    @TearDown(Level.Iteration)
    @SuppressForbidden("JMH shows what a benchmark prints beside its iteration's score")
    public void stop() {
      ThreadCpu.Snapshot after = ThreadCpu.snapshot();
      long appended = writer.appendedCount();
      writer.close();
      System.out.println();
      System.out.println(after.minus(before).perRecord(appended));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      producer.close();
      kafka.close();
      dataDir.close();
    }
  }

  /** Events signed by the gateway, verified by the writer: production. */
  @State(Scope.Benchmark)
  public static class SignedWriter extends Writer {
    @Override
    boolean signed() {
      return true;
    }
  }

  /** Unsigned events, no key trusted: the writer checks no signature. */
  @State(Scope.Benchmark)
  public static class UnsignedWriter extends Writer {
    @Override
    boolean signed() {
      return false;
    }
  }

  /*
   * One invocation per iteration: it lasts seconds, far past the iteration's millisecond, so JMH
   * divides the backlog by the invocation's own time.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OperationsPerInvocation(Writer.BACKLOG)
  @Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
  @Measurement(iterations = 3, time = 1, timeUnit = TimeUnit.MILLISECONDS)
  public long writerAppend_signed(SignedWriter w) throws Exception {
    return drain(w);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OperationsPerInvocation(Writer.BACKLOG)
  @Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
  @Measurement(iterations = 3, time = 1, timeUnit = TimeUnit.MILLISECONDS)
  public long writerAppend_unsigned(UnsignedWriter w) throws Exception {
    return drain(w);
  }

  private static long drain(Writer w) throws Exception {
    if (w.drained++ > 0) {
      // A second invocation would find the backlog drained and count it again.
      throw new IllegalStateException(
          "one invocation per iteration: run writerAppend with its own iteration time (no -r)");
    }
    while (w.writer.appendedCount() < Writer.BACKLOG) {
      // Sleep, not spin: a spinning benchmark thread would take one of the writer's cores.
      Thread.sleep(1);
      if (w.writer.state() != WriterState.WRITING) {
        throw new IllegalStateException("writer stopped: " + w.writer.state());
      }
    }
    return w.writer.appendedCount();
  }

  /** A 10-million-leaf tree in the on-disk format, written in bulk. */
  @State(Scope.Benchmark)
  public static class BigTree {
    static final long LEAVES = 10_000_000L;
    TemporaryDirectory dir;
    FileHashStore store;
    MerkleTree tree;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = TemporaryDirectory.create("tollgate-bench-tree-");
      // Level by level: the same files FileHashStore appends one leaf at a time.
      Path previous = null;
      long count = LEAVES;
      for (int level = 0; count > 0; level++, count >>= 1) {
        Path file = FileHashStore.levelFile(dir.path(), level);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
          if (level == 0) {
            byte[] leaf = new byte[8];
            for (long i = 0; i < LEAVES; i++) {
              for (int b = 0; b < 8; b++) {
                leaf[b] = (byte) (i >>> (8 * b));
              }
              out.write(MerkleHash.leaf(leaf));
            }
          } else {
            try (var in =
                new java.io.BufferedInputStream(Files.newInputStream(previous), 1 << 20)) {
              byte[] left = new byte[MerkleHash.SIZE];
              byte[] right = new byte[MerkleHash.SIZE];
              for (long i = 0; i < count; i++) {
                in.readNBytes(left, 0, left.length);
                in.readNBytes(right, 0, right.length);
                out.write(MerkleHash.node(left, right));
              }
            }
          }
        }
        previous = file;
      }
      store = FileHashStore.open(dir.path());
      tree = new MerkleTree(store);
      if (tree.size() != LEAVES) {
        throw new IllegalStateException("built " + tree.size() + " leaves");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      store.close();
      dir.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public List<byte[]> inclusionProof_10M(BigTree big) {
    long index = ThreadLocalRandom.current().nextLong(BigTree.LEAVES);
    return big.tree.inclusionProof(index, BigTree.LEAVES);
  }
}
