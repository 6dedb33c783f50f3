package dev.tollgate.verifier.oci;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The digest a tag pointed to, when the registry said so, and whether that answer came from the
 * {@link TagCache} rather than from a round trip made for this verification: the evidence a
 * decision records so that a reader of the ledger can tell a digest found just now from one
 * remembered for up to {@code ttl}.
 *
 * @param reference the reference by tag that was resolved
 * @param digest what the tag pointed to
 * @param manifest the manifest received, when the tag was resolved for this call (a cached answer
 *     holds only the digest; the manifest is then fetched by digest)
 * @param resolvedAt when the request that found the digest was made (no later than the registry's
 *     answer)
 * @param cached whether the digest came from the cache
 * @param ttl how long the cache keeps a resolution; zero when the cache is off
 */
public record TagResolution(
    ImageReference reference,
    Digest digest,
    Optional<Manifest> manifest,
    Instant resolvedAt,
    boolean cached,
    Duration ttl) {

  public TagResolution {
    if (reference == null
        || reference.tag().isEmpty()
        || reference.digest().isPresent()
        || digest == null
        || manifest == null
        || resolvedAt == null
        || ttl == null
        || ttl.isNegative()) {
      throw new IllegalArgumentException("a tag resolution names a tag, its digest and when");
    }
    if (manifest.isPresent() && !manifest.get().digest().equals(digest)) {
      throw new IllegalArgumentException("the manifest is the one the digest names");
    }
    if (cached && manifest.isPresent()) {
      throw new IllegalArgumentException("a cached resolution holds only the digest");
    }
  }

  /** The reference pinned to the digest found. */
  public ImageReference pinned() {
    return reference.pinned(digest);
  }

  /**
   * For people, e.g. {@code tag v1 resolved at 2030-01-01T00:00:00Z (cached, ttl 30s) to
   * sha256:...}.
   */
  public String describe() {
    String how;
    if (cached) {
      how = " (cached, ttl " + human(ttl) + ")";
    } else if (ttl.isZero()) {
      how = " (tag cache off: resolved on every verification)";
    } else {
      how = " (from the registry; cached for " + human(ttl) + ")";
    }
    return "tag "
        + reference.tag().orElseThrow()
        + " resolved at "
        + resolvedAt
        + how
        + " to "
        + digest;
  }

  /** For scripts and the ledger. */
  public Map<String, String> evidence() {
    Map<String, String> ev = new LinkedHashMap<>();
    ev.put("digest", digest.toString());
    ev.put("pinned", pinned().toString());
    ev.put("tag", reference.tag().orElseThrow());
    ev.put("resolvedAt", resolvedAt.toString());
    ev.put("resolution", cached ? "cached" : "registry");
    ev.put("tagCacheTtl", ttl.toString());
    return ev;
  }

  private static String human(Duration d) {
    if (d.toNanosPart() != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s >= 3600 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s >= 60 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
