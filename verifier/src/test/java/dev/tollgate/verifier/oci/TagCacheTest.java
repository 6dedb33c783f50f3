package dev.tollgate.verifier.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.verifier.testing.OciPusher;
import dev.tollgate.verifier.testing.OciPusher.Pushed;
import dev.tollgate.verifier.testing.RegistryExtension;
import dev.tollgate.verifier.testing.RegistryServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TagCache} against a real registry, counting the round trips the client makes. Time is
 * passed in, so expiry is tested by moving it, not by sleeping.
 */
@ExtendWith(RegistryExtension.class)
class TagCacheTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration TTL = Duration.ofSeconds(30);
  static final AtomicInteger SEQ = new AtomicInteger();

  RegistryServer registry;
  OciPusher push;
  List<URI> trips;
  RegistryClient client;

  @BeforeEach
  void start(RegistryServer server) {
    registry = server;
    push = new OciPusher("http", server.host());
    trips = new CopyOnWriteArrayList<>();
    client = counted(trips::add);
  }

  @Test
  void resolve_againWithinTtl_noRoundTripAndMarkedCached() throws Exception {
    Repository repo = repo("hit");
    Pushed image = push.image(repo, "v1", "hit");
    TagCache tags = TagCache.create(TTL, 10);

    TagResolution first = tags.resolve(client, ImageReference.of(repo, "v1"), T0);
    int cold = trips.size();
    TagResolution second =
        tags.resolve(client, ImageReference.of(repo, "v1"), T0.plus(TTL).minusMillis(1));

    assertThat(cold).isEqualTo(1);
    assertThat(trips).hasSize(1);
    assertThat(first.cached()).isFalse();
    assertThat(first.manifest()).isPresent();
    assertThat(second.cached()).isTrue();
    assertThat(second.manifest()).isEmpty();
    assertThat(second.digest()).isEqualTo(image.digest());
    assertThat(second.resolvedAt()).isEqualTo(T0);
    assertThat(second.describe())
        .isEqualTo("tag v1 resolved at " + T0 + " (cached, ttl 30s) to " + image.digest());
    assertThat(second.evidence())
        .containsEntry("resolution", "cached")
        .containsEntry("resolvedAt", T0.toString())
        .containsEntry("tagCacheTtl", "PT30S")
        .containsEntry("pinned", repo + ":v1@" + image.digest());
  }

  @Test
  void resolve_afterTtl_resolvedAgainAndMovedTagYieldsNewDigest() throws Exception {
    Repository repo = repo("moved");
    Pushed before = push.image(repo, "v1", "moved-before");
    TagCache tags = TagCache.create(TTL, 10);
    tags.resolve(client, ImageReference.of(repo, "v1"), T0);
    Pushed after = push.image(repo, "v1", "moved-after");

    TagResolution withinTtl =
        tags.resolve(client, ImageReference.of(repo, "v1"), T0.plusSeconds(29));
    int tripsWithinTtl = trips.size();
    TagResolution atTtl = tags.resolve(client, ImageReference.of(repo, "v1"), T0.plus(TTL));

    assertThat(withinTtl.digest()).isEqualTo(before.digest());
    assertThat(tripsWithinTtl).isEqualTo(1);
    assertThat(atTtl.cached()).isFalse();
    assertThat(atTtl.digest()).isEqualTo(after.digest());
    assertThat(atTtl.resolvedAt()).isEqualTo(T0.plus(TTL));
    assertThat(trips).hasSize(2);
  }

  @Test
  void resolve_ttlZero_roundTripEveryTime() throws Exception {
    Repository repo = repo("off");
    push.image(repo, "v1", "off");
    TagCache tags = TagCache.create(Duration.ZERO, 10);

    TagResolution first = tags.resolve(client, ImageReference.of(repo, "v1"), T0);
    TagResolution second = tags.resolve(client, ImageReference.of(repo, "v1"), T0);

    assertThat(trips).hasSize(2);
    assertThat(first.cached()).isFalse();
    assertThat(second.cached()).isFalse();
    assertThat(second.ttl()).isZero();
    assertThat(second.describe()).contains("tag cache off");
    assertThat(tags.size()).isZero();
  }

  @Test
  void resolve_tagMissing_failureNotCachedAndTagFoundOncePushed() throws Exception {
    Repository repo = repo("missing");
    TagCache tags = TagCache.create(TTL, 10);

    assertThatThrownBy(() -> tags.resolve(client, ImageReference.of(repo, "v1"), T0))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.reason()).isEqualTo(OciReason.MANIFEST_UNKNOWN));
    assertThat(tags.size()).isZero();
    Pushed pushed = push.image(repo, "v1", "missing-then-pushed");
    TagResolution found = tags.resolve(client, ImageReference.of(repo, "v1"), T0.plusSeconds(1));

    assertThat(found.cached()).isFalse();
    assertThat(found.digest()).isEqualTo(pushed.digest());
    assertThat(trips).hasSize(2);
  }

  @Test
  void resolve_registryUnavailable_failureNotCached() throws Exception {
    RegistryClient down =
        RegistryClient.builder().plainHttp("127.0.0.1:1").retry(RetryPolicy.none()).build();
    ImageReference ref = ImageReference.of(new Repository("127.0.0.1:1", "acme/bundle"), "v1");
    TagCache tags = TagCache.create(TTL, 10);

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> tags.resolve(down, ref, T0))
          .isInstanceOfSatisfying(
              OciException.class, e -> assertThat(e.reason().isTransient()).isTrue());
    }
    assertThat(tags.size()).isZero();
  }

  @Test
  void resolve_concurrentFirstResolutions_shareOneRoundTrip() throws Exception {
    Repository repo = repo("flight");
    Pushed image = push.image(repo, "v1", "flight");
    CountDownLatch inRoundTrip = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<URI> seen = new CopyOnWriteArrayList<>();
    RegistryClient held =
        counted(
            uri -> {
              seen.add(uri);
              if (seen.size() == 1) {
                inRoundTrip.countDown();
                await(release);
              }
            });
    TagCache tags = TagCache.create(TTL, 10);
    ImageReference ref = ImageReference.of(repo, "v1");

    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<TagResolution> leader = threads.submit(() -> tags.resolve(held, ref, T0));
      assertThat(inRoundTrip.await(30, TimeUnit.SECONDS)).isTrue();
      AtomicReference<Thread> waiter = new AtomicReference<>();
      Future<TagResolution> follower =
          threads.submit(
              () -> {
                waiter.set(Thread.currentThread());
                return tags.resolve(held, ref, T0);
              });
      // The follower is parked on the leader's flight (or, if single flight were broken, in its
      // own HTTP exchange, which the count below would show).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (waiter.get() == null || waiter.get().getState() != Thread.State.WAITING) {
        assertThat(System.nanoTime()).as("follower waiting").isLessThan(deadline);
        Thread.onSpinWait();
      }
      release.countDown();

      assertThat(leader.get(30, TimeUnit.SECONDS).digest()).isEqualTo(image.digest());
      assertThat(follower.get(30, TimeUnit.SECONDS).digest()).isEqualTo(image.digest());
      assertThat(seen).hasSize(1);
    } finally {
      release.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void resolve_otherSource_ownRoundTrip() throws Exception {
    Repository repo = repo("sources");
    push.image(repo, "v1", "sources");
    RegistryClient other = counted(trips::add);
    TagCache tags = TagCache.create(TTL, 10);

    tags.resolve(client, ImageReference.of(repo, "v1"), T0);
    TagResolution viaOther = tags.resolve(other, ImageReference.of(repo, "v1"), T0);

    assertThat(viaOther.cached()).isFalse();
    assertThat(trips).hasSize(2);
  }

  @Test
  void resolve_moreTagsThanMaxEntries_leastRecentlyUsedForgotten() throws Exception {
    Repository repo = repo("bounded");
    push.image(repo, "a", "bounded-a");
    push.image(repo, "b", "bounded-b");
    TagCache tags = TagCache.create(TTL, 1);

    tags.resolve(client, ImageReference.of(repo, "a"), T0);
    tags.resolve(client, ImageReference.of(repo, "b"), T0);
    TagResolution again = tags.resolve(client, ImageReference.of(repo, "a"), T0);

    assertThat(tags.size()).isEqualTo(1);
    assertThat(again.cached()).isFalse();
    assertThat(trips).hasSize(3);
  }

  @Test
  void forget_digestStillCached_nextResolutionGoesToRegistry() throws Exception {
    Repository repo = repo("forget");
    Pushed image = push.image(repo, "v1", "forget");
    TagCache tags = TagCache.create(TTL, 10);
    ImageReference ref = ImageReference.of(repo, "v1");
    tags.resolve(client, ref, T0);

    tags.forget(client, ref, Digest.of(new byte[] {1}));
    TagResolution kept = tags.resolve(client, ref, T0);
    tags.forget(client, ref, image.digest());
    TagResolution again = tags.resolve(client, ref, T0);

    assertThat(kept.cached()).isTrue();
    assertThat(again.cached()).isFalse();
    assertThat(trips).hasSize(2);
  }

  @Test
  void create_negativeTtl_refused() {
    assertThatThrownBy(() -> TagCache.create(Duration.ofSeconds(-1), 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TagCache.create(TTL, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  private RegistryClient counted(java.util.function.Consumer<URI> onTrip) {
    return RegistryClient.builder()
        .plainHttp(registry.host())
        .retry(RetryPolicy.none())
        .roundTrips((uri, status, elapsed) -> onTrip.accept(uri))
        .build();
  }

  private Repository repo(String name) {
    return new Repository(registry.host(), "tags/" + name + "-" + SEQ.incrementAndGet());
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
