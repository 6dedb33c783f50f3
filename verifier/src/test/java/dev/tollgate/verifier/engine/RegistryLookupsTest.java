package dev.tollgate.verifier.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The registry lookup executor: bounded, never queueing, never dropping a lookup. */
class RegistryLookupsTest {

  @Test
  void execute_moreLookupsThanThreads_atMostThreadsOnPoolAndTheRestInTheCaller() throws Exception {
    try (RegistryLookups lookups = RegistryLookups.create(2)) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch started = new CountDownLatch(2);
      AtomicInteger onPool = new AtomicInteger();
      List<FutureTask<String>> blocking = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        FutureTask<String> lookup =
            new FutureTask<>(
                () -> {
                  onPool.incrementAndGet();
                  started.countDown();
                  release.await(10, TimeUnit.SECONDS);
                  return Thread.currentThread().getName();
                });
        lookups.executor().execute(lookup);
        blocking.add(lookup);
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      FutureTask<String> third = new FutureTask<>(() -> Thread.currentThread().getName());
      lookups.executor().execute(third);

      assertThat(third.isDone()).as("ran in the caller at once").isTrue();
      assertThat(third.get()).isEqualTo(Thread.currentThread().getName());
      release.countDown();
      for (FutureTask<String> lookup : blocking) {
        assertThat(lookup.get(10, TimeUnit.SECONDS)).startsWith("tollgate-registry-lookup-");
      }
      assertThat(onPool.get()).isEqualTo(2);
    }
  }

  @Test
  void execute_nestedLookupsOnAFullPool_completeWithoutDeadlock() throws Exception {
    try (RegistryLookups lookups = RegistryLookups.create(1)) {
      FutureTask<Integer> outer =
          new FutureTask<>(
              () -> {
                // The only pool thread waits for an inner lookup, as an image's attestations
                // wait for its discovery.
                FutureTask<Integer> inner = new FutureTask<>(() -> 41);
                lookups.executor().execute(inner);
                return inner.get(10, TimeUnit.SECONDS) + 1;
              });
      lookups.executor().execute(outer);

      assertThat(outer.get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }
  }

  @Test
  void execute_afterClose_lookupStillRunsInTheCaller() throws Exception {
    RegistryLookups lookups = RegistryLookups.create(1);
    lookups.close();
    FutureTask<String> lookup = new FutureTask<>(() -> "done");

    lookups.executor().execute(lookup);

    assertThat(lookup.isDone()).isTrue();
    assertThat(lookup.get()).isEqualTo("done");
  }

  @Test
  void create_threadsOutOfRange_rejected() {
    assertThatThrownBy(() -> RegistryLookups.create(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RegistryLookups.create(RegistryLookups.MAX_THREADS + 1))
        .isInstanceOf(IllegalArgumentException.class);
    try (RegistryLookups defaults = RegistryLookups.withDefaults()) {
      assertThat(defaults.threads()).isEqualTo(RegistryLookups.DEFAULT_THREADS);
    }
  }
}
