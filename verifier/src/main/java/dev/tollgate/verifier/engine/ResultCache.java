package dev.tollgate.verifier.engine;

import dev.tollgate.verifier.oci.Digest;
import dev.tollgate.verifier.report.VerificationReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Definitive verification results by bundle digest and trust-configuration fingerprint, least
 * recently used evicted first, each until its own expiry (the earliest of the TTL, a scan going
 * stale and an exception expiring). Transient results are refused.
 */
final class ResultCache {
  private record Key(Digest digest, String fingerprint) {}

  private record Cached(VerificationReport report, Instant validUntil) {}

  private final int maxEntries;
  private final Map<Key, Cached> entries;

  ResultCache(int maxEntries) {
    this.maxEntries = maxEntries;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
            return size() > ResultCache.this.maxEntries;
          }
        };
  }

  synchronized Optional<VerificationReport> get(Digest digest, String fingerprint, Instant now) {
    Key k = new Key(digest, fingerprint);
    Cached e = entries.get(k);
    if (e == null) {
      return Optional.empty();
    }
    if (!now.isBefore(e.validUntil())) {
      entries.remove(k);
      return Optional.empty();
    }
    return Optional.of(e.report());
  }

  synchronized void put(
      Digest digest, String fingerprint, VerificationReport report, Instant validUntil) {
    if (report.verdict() == dev.tollgate.verifier.report.Verdict.TRANSIENT_ERROR) {
      throw new IllegalArgumentException("transient results are never cached");
    }
    if (maxEntries > 0) {
      entries.put(new Key(digest, fingerprint), new Cached(report, validUntil));
    }
  }

  synchronized int size() {
    return entries.size();
  }
}
