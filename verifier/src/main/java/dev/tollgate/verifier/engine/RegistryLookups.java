package dev.tollgate.verifier.engine;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one bounded executor for concurrent registry lookups (discovery of signatures and
 * attestations, attestations of task images). Its owner creates it (the CLI per run, the service
 * once) and closes it; verifiers get it through their constructors.
 *
 * <p>At most {@code threads} lookups run on its own threads. When all are busy, a lookup runs in
 * the thread that asked for it, so the work is bounded without a queue: a queue would let a lookup
 * that waits for a nested lookup (an image's attestations need its discovery) wait behind itself
 * and deadlock. After {@link #close()} lookups still complete, in their callers' threads.
 */
public final class RegistryLookups implements AutoCloseable {
  /** Lookups in flight on the executor's own threads unless configured otherwise. */
  public static final int DEFAULT_THREADS = 8;

  /** More threads than this only multiply connections to one registry. */
  public static final int MAX_THREADS = 256;

  private final ThreadPoolExecutor pool;

  private RegistryLookups(ThreadPoolExecutor pool) {
    this.pool = pool;
  }

  /** An executor of at most {@code threads} threads (1 to {@value #MAX_THREADS}). */
  public static RegistryLookups create(int threads) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "registry lookup threads must be between 1 and " + MAX_THREADS + ", not " + threads);
    }
    AtomicInteger seq = new AtomicInteger();
    ThreadFactory daemons =
        r -> {
          Thread t = new Thread(r, "tollgate-registry-lookup-" + seq.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    // The handler runs a refused lookup in the caller, also after shutdown (the JDK's
    // CallerRunsPolicy would silently drop it then, and its Future would never complete).
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            threads,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemons,
            (lookup, executor) -> lookup.run());
    return new RegistryLookups(pool);
  }

  /** With {@link #DEFAULT_THREADS} threads. */
  public static RegistryLookups withDefaults() {
    return create(DEFAULT_THREADS);
  }

  /** Where lookups are submitted. */
  public Executor executor() {
    return pool;
  }

  /** The most lookups that run on the executor's own threads at once. */
  public int threads() {
    return pool.getMaximumPoolSize();
  }

  /** Lets running lookups finish; later ones run in their callers. */
  @Override
  public void close() {
    pool.shutdown();
  }
}
