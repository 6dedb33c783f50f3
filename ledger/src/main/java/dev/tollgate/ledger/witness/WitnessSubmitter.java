package dev.tollgate.ledger.witness;

import dev.tollgate.ledger.checkpoint.Checkpoint;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Gets the writer's checkpoints cosigned, off the writer's path: one thread per witness looks at
 * the latest committed checkpoint, submits it with a consistency proof from the size that witness
 * last cosigned, and keeps the cosignature in the {@link CosignatureStore}. It only reads what the
 * writer published, so a witness that is slow, down or refusing delays no append and no other
 * witness; a failed submission is retried with exponential backoff. Checkpoints committed while a
 * witness was away are skipped: the next submission proves consistency from its last cosigned size
 * to the latest one, which is all tlog-witness needs.
 */
public final class WitnessSubmitter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(WitnessSubmitter.class);

  /**
   * What to submit: the latest committed checkpoint and consistency proofs from the tree holding
   * it.
   */
  public record Target(Checkpoint checkpoint, CheckpointWitness.Proofs proofs) {}

  /**
   * @param poll how often a witness that is up to date looks for a new checkpoint
   * @param firstRetry the pause after the first failed submission, doubled after each further one
   * @param maxRetry the longest pause between two submissions to a failing witness
   */
  public record Timing(Duration poll, Duration firstRetry, Duration maxRetry) {
    public Timing {
      if (poll.isNegative()
          || poll.isZero()
          || firstRetry.isNegative()
          || firstRetry.isZero()
          || maxRetry.compareTo(firstRetry) < 0) {
        throw new IllegalArgumentException("witness timings are positive, maxRetry >= firstRetry");
      }
    }
  }

  /**
   * One witness as the metrics see it.
   *
   * @param witness the witness's key
   * @param cosignedSize the size of the last checkpoint it cosigned for this writer, -1 before any
   * @param lagRecords records the latest checkpoint holds beyond the last one it cosigned
   * @param lagSeconds how long a checkpoint it has not cosigned has been waiting, 0 when none
   */
  public record Status(WitnessKey witness, long cosignedSize, long lagRecords, long lagSeconds) {}

  private final List<Worker> workers;
  private final Supplier<Optional<Target>> latest;
  private final CosignatureStore store;
  private final Timing timing;
  private final Clock clock;
  private final CountDownLatch stop = new CountDownLatch(1);

  /**
   * @param witnesses the witnesses to submit to, each with its own thread
   * @param latest the latest committed checkpoint, read (never waited for) on every poll
   * @param store where cosignatures are kept
   */
  public WitnessSubmitter(
      List<CheckpointWitness> witnesses,
      Supplier<Optional<Target>> latest,
      CosignatureStore store,
      Timing timing,
      Clock clock) {
    this.workers = witnesses.stream().map(Worker::new).toList();
    this.latest = latest;
    this.store = store;
    this.timing = timing;
    this.clock = clock;
  }

  /** Starts one thread per witness. */
  public void start() {
    workers.forEach(w -> w.thread.start());
  }

  /** Each witness's progress, in configuration order. */
  public List<Status> statuses() {
    return workers.stream().map(Worker::status).toList();
  }

  /** Submissions to {@code witness} that failed for {@code reason} (0 for an unknown witness). */
  public long failures(WitnessKey witness, WitnessException.Reason reason) {
    return workers.stream()
        .filter(w -> w.witness.key().equals(witness))
        .mapToLong(w -> w.failures.get(reason).get())
        .sum();
  }

  /** The store cosignatures go to. */
  public CosignatureStore store() {
    return store;
  }

  /** Stops every thread; a submission in flight ends within the client's timeout. */
  @Override
  public void close() {
    stop.countDown();
    for (Worker worker : workers) {
      worker.thread.interrupt();
      try {
        worker.thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private final class Worker {
    final CheckpointWitness witness;
    final Thread thread;
    final Map<WitnessException.Reason, AtomicLong> failures =
        new EnumMap<>(WitnessException.Reason.class);
    volatile long cosignedSize = -1;
    volatile long latestSize = -1;
    volatile Instant waitingSince;

    Worker(CheckpointWitness witness) {
      this.witness = witness;
      for (WitnessException.Reason reason : WitnessException.Reason.values()) {
        failures.put(reason, new AtomicLong());
      }
      this.thread = new Thread(this::run, "ledger-witness-" + witness.key().name());
      this.thread.setDaemon(true);
    }

    Status status() {
      Instant since = waitingSince;
      long seconds =
          since == null ? 0 : Math.max(0, Duration.between(since, clock.instant()).getSeconds());
      return new Status(
          witness.key(),
          cosignedSize,
          Math.max(0, latestSize - Math.max(0, cosignedSize)),
          seconds);
    }

    @SuppressWarnings("checkstyle:IllegalCatch") // the witness thread's top-level guard (see below)
    void run() {
      try {
        loop();
      } catch (RuntimeException e) {
        // A bug must not end the thread silently: the lag then grows and the alert on it fires.
        LOG.errorf(
            e, "the submitter of witness %s stopped by an unexpected error", witness.key().name());
      }
    }

    private void loop() {
      Duration retry = timing.firstRetry();
      while (stop.getCount() > 0) {
        Optional<Target> target = latest.get();
        if (target.isEmpty() || target.get().checkpoint().size() <= cosignedSize) {
          pause(timing.poll());
          continue;
        }
        Checkpoint checkpoint = target.get().checkpoint();
        latestSize = checkpoint.size();
        if (waitingSince == null) {
          waitingSince = clock.instant();
        }
        if (submit(target.get())) {
          retry = timing.firstRetry();
        } else {
          pause(retry);
          retry =
              retry.multipliedBy(2).compareTo(timing.maxRetry()) > 0
                  ? timing.maxRetry()
                  : retry.multipliedBy(2);
        }
      }
    }

    /** One submission; true when the checkpoint was cosigned and kept. */
    private boolean submit(Target target) {
      Checkpoint checkpoint = target.checkpoint();
      String name = witness.key().name();
      try {
        Cosignature cosignature = witness.cosign(checkpoint, target.proofs());
        store.add(checkpoint, cosignature);
        cosignedSize = checkpoint.size();
        Target now = latest.get().orElse(target);
        waitingSince = now.checkpoint().size() > checkpoint.size() ? clock.instant() : null;
        LOG.debugf("witness %s cosigned %s", name, checkpoint);
        return true;
      } catch (WitnessException e) {
        long count = failures.get(e.reason()).incrementAndGet();
        switch (e.reason()) {
          case UNAVAILABLE -> {
            if (count == 1 || count % 100 == 0) {
              LOG.warnf("%s; retrying (%d failures so far)", e.describe(), count);
            }
          }
          case ROLLBACK ->
              LOG.errorf(
                  "%s. The ledger may have been truncated or forked since that witness cosigned"
                      + " it: run tollgate-auditor verify with --checkpoint of the witness's last"
                      + " cosigned checkpoint",
                  e.describe());
          case MALFORMED_KEY, MALFORMED_RESPONSE, BAD_COSIGNATURE, REFUSED, QUORUM_NOT_MET ->
              LOG.errorf("%s; retrying later", e.describe());
        }
        return false;
      } catch (IOException e) {
        LOG.errorf(
            "cannot keep the cosignature of witness %s on %s (%s); submitting again later",
            name, checkpoint, e.getClass().getSimpleName());
        return false;
      } catch (IllegalArgumentException e) {
        // The tree no longer holds the sizes (the writer is rebuilding it): ask again later.
        LOG.warnf("cannot prove %s to witness %s now: %s", checkpoint, name, e.getMessage());
        return false;
      }
    }

    private void pause(Duration duration) {
      try {
        stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop.countDown();
      }
    }
  }
}
