package dev.tollgate.verifier.oci;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which digest a tag resolved to, remembered for a short time, so that a warm verification of a
 * bundle named by tag makes no registry round trip: the tag is resolved once, and from then on the
 * engine works by digest (the result cache is keyed by digest).
 *
 * <p>How others do it, and why this way. Tekton's bundles resolver resolves the tag on every run:
 * always fresh, a round trip each time. Flux's image reflector polls tags on an interval: what it
 * acts on is as old as the interval. Kyverno caches image verification results keyed by the image
 * reference with a TTL (an hour by default), verdict included. Here only the tag to digest answer
 * is cached, for a short TTL (30 seconds by default): the verdict stays keyed by digest and trust
 * fingerprint, so a changed trust configuration still verifies the digest again in full, and a
 * moved tag is seen within seconds while a burst of triggers for one pipeline costs one round trip
 * per tag per TTL.
 *
 * <p>Why a stale entry is safe. The PipelineRun is pinned to the digest that was verified, never to
 * the tag, and a digest is verified under the trust configuration in force whichever way it was
 * found. A stale entry can therefore only run a bundle that itself verified now; it can never run
 * an unverified one. What it can do is keep running the bundle the tag pointed to until the entry
 * expires: a moved tag is picked up after at most the TTL. To stop an old bundle at once, change
 * the trust configuration (revoke its key): its digest is then judged under the new one.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Only successful resolutions are remembered. A failure (registry unavailable, tag not found,
 *       digest mismatch) is never cached, so a transient error does not stick and a tag pushed a
 *       moment later is found at once. Callers {@link #forget} a tag whose digest did not verify,
 *       so a fix pushed under the same tag is seen at the next verification.
 *   <li>The key is the source (the client instance, which carries credentials, CA and transport, or
 *       the layout directory: two sources may see different things under one name), the registry,
 *       the repository and the tag. The trust configuration is not part of it. Names are not
 *       normalised further than {@link ImageReference#parse} does: two spellings of one repository
 *       cost two round trips, never a wrong answer.
 *   <li>Concurrent first resolutions of one tag share one round trip ({@link SingleFlight}, as
 *       fetches by digest do); a shared failure reaches every waiter and is then forgotten.
 *   <li>An entry's age counts from when its request was made (the caller's {@code now}, taken
 *       before the round trip), so it never outlives its TTL counted from the registry's answer.
 *       Callers pass {@code now} from their clock, so tests move time instead of sleeping.
 *   <li>At most {@code maxEntries} tags, least recently used forgotten first; an expired entry is
 *       dropped when it is met.
 *   <li>A TTL of zero (or no entries) turns the cache off: every resolution is a round trip,
 *       Tekton's behaviour.
 * </ul>
 */
public final class TagCache {
  /** The default TTL (ISO-8601), declared once for the engine and the service's configuration. */
  public static final String DEFAULT_TTL = "PT30S";

  /** The default bound on remembered tags. */
  public static final String DEFAULT_MAX_ENTRIES = "1000";

  /** Compares the source by identity: a client instance is what carries credentials. */
  private record Key(OciSource source, Repository repository, String tag) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.source == source
          && k.repository.equals(repository)
          && k.tag.equals(tag);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * System.identityHashCode(source) + repository.hashCode()) + tag.hashCode();
    }
  }

  private record Remembered(Digest digest, Instant resolvedAt) {}

  private final Duration ttl;
  private final int maxEntries;
  private final Map<Key, Remembered> entries;
  private final SingleFlight<Key, TagResolution> flights = new SingleFlight<>();

  private TagCache(Duration ttl, int maxEntries) {
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Remembered> eldest) {
            return size() > TagCache.this.maxEntries;
          }
        };
  }

  /**
   * A cache keeping each resolution for {@code ttl} (zero: off), at most {@code maxEntries} of them
   * (zero: off).
   */
  public static TagCache create(Duration ttl, int maxEntries) {
    if (ttl == null || ttl.isNegative() || maxEntries < 0) {
      throw new IllegalArgumentException(
          "tag cache ttl and size must not be negative: " + ttl + ", " + maxEntries);
    }
    return new TagCache(ttl, maxEntries);
  }

  /** {@link #DEFAULT_TTL}, {@link #DEFAULT_MAX_ENTRIES}. */
  public static TagCache defaults() {
    return create(Duration.parse(DEFAULT_TTL), Integer.parseInt(DEFAULT_MAX_ENTRIES));
  }

  /** Resolves every time. */
  public static TagCache disabled() {
    return create(Duration.ZERO, 0);
  }

  /** How long a resolution is used; zero when the cache is off. */
  public Duration ttl() {
    return enabled() ? ttl : Duration.ZERO;
  }

  private boolean enabled() {
    return !ttl.isZero() && maxEntries > 0;
  }

  /**
   * The digest the tag of {@code reference} points to: remembered from {@code source} within the
   * TTL, otherwise asked of {@code source} (and remembered when found).
   *
   * @param reference a reference by tag only (a digest is never resolved)
   * @param now the caller's clock; the resolution's time when a round trip is made
   */
  public TagResolution resolve(OciSource source, ImageReference reference, Instant now)
      throws OciException {
    if (reference.digest().isPresent() || reference.tag().isEmpty()) {
      throw new IllegalArgumentException("only a reference by tag is resolved: " + reference);
    }
    if (!enabled()) {
      return fetch(source, reference, now);
    }
    Key key = new Key(source, reference.repository(), reference.tag().get());
    Optional<TagResolution> hit = lookup(key, reference, now);
    if (hit.isPresent()) {
      return hit.get();
    }
    return flights.run(
        key,
        () -> {
          // Another flight may have finished between the lookup and this one starting.
          Optional<TagResolution> landed = lookup(key, reference, now);
          if (landed.isPresent()) {
            return landed.get();
          }
          TagResolution fresh = fetch(source, reference, now);
          synchronized (this) {
            entries.put(key, new Remembered(fresh.digest(), fresh.resolvedAt()));
          }
          return fresh;
        });
  }

  /**
   * Forgets the tag of {@code reference} if it still resolves to {@code digest} here: for a digest
   * that did not verify, so that the next verification asks the registry again.
   */
  public void forget(OciSource source, ImageReference reference, Digest digest) {
    if (reference.tag().isEmpty()) {
      return;
    }
    Key key = new Key(source, reference.repository(), reference.tag().get());
    synchronized (this) {
      Remembered e = entries.get(key);
      if (e != null && e.digest().equals(digest)) {
        entries.remove(key);
      }
    }
  }

  /** Tags remembered now, expired ones included until they are met. */
  synchronized int size() {
    return entries.size();
  }

  private synchronized Optional<TagResolution> lookup(
      Key key, ImageReference reference, Instant now) {
    Remembered e = entries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (!now.isBefore(e.resolvedAt().plus(ttl))) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(
        new TagResolution(reference, e.digest(), Optional.empty(), e.resolvedAt(), true, ttl));
  }

  private TagResolution fetch(OciSource source, ImageReference reference, Instant now)
      throws OciException {
    Manifest m = source.resolve(reference);
    return new TagResolution(reference, m.digest(), Optional.of(m), now, false, ttl());
  }
}
