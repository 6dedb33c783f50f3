package dev.tollgate.verifier.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TriggerLocksTest {
  private final TriggerLocks locks = new TriggerLocks();
  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  @Test
  void exclusively_sameTriggerHeld_secondWaitsUntilFirstDone() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean secondRan = new AtomicBoolean();
    Future<String> first = threads.submit(() -> locks.exclusively("t1", hold(entered, release)));
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

    Future<String> second =
        threads.submit(
            () ->
                locks.exclusively(
                    "t1",
                    () -> {
                      secondRan.set(true);
                      return "second";
                    }));
    await().atMost(Duration.ofSeconds(60)).until(() -> locks.waiting("t1"));
    assertThat(secondRan).isFalse();

    release.countDown();
    assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(second.get(60, TimeUnit.SECONDS)).isEqualTo("second");
    assertThat(locks.size()).isZero();
  }

  @Test
  void exclusively_otherTriggerHeld_runsAtOnce() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> first = threads.submit(() -> locks.exclusively("t1", hold(entered, release)));
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

    String other = locks.exclusively("t2", () -> "other");

    assertThat(other).isEqualTo("other");
    assertThat(first.isDone()).isFalse();
    release.countDown();
    assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(locks.size()).isZero();
  }

  @Test
  void exclusively_workThrows_lockReleasedAndEntryGone() throws Exception {
    assertThatThrownBy(
            () ->
                locks.exclusively(
                    "t1",
                    () -> {
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(locks.size()).isZero();
    assertThat(
            threads.submit(() -> locks.exclusively("t1", () -> "again")).get(60, TimeUnit.SECONDS))
        .isEqualTo("again");
  }

  @Test
  void exclusively_interruptedWhileWaiting_workNotRun() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> first = threads.submit(() -> locks.exclusively("t1", hold(entered, release)));
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
    AtomicBoolean ran = new AtomicBoolean();
    Future<String> second =
        threads.submit(
            () ->
                locks.exclusively(
                    "t1",
                    () -> {
                      ran.set(true);
                      return "second";
                    }));
    await().atMost(Duration.ofSeconds(60)).until(() -> locks.waiting("t1"));

    second.cancel(true);
    release.countDown();

    assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo("first");
    await().atMost(Duration.ofSeconds(60)).until(() -> locks.size() == 0);
    assertThat(ran).isFalse();
  }

  private static java.util.function.Supplier<String> hold(
      CountDownLatch entered, CountDownLatch release) {
    return () -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "first";
    };
  }
}
