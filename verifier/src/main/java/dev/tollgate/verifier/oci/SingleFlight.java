package dev.tollgate.verifier.oci;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * At most one call in flight per key: concurrent callers for the same digest share the first
 * caller's result (or failure) instead of each fetching it. Nothing is kept after the call ends, so
 * a transient failure is never remembered.
 */
final class SingleFlight<K, V> {

  /** A fetch that may fail with a domain exception. */
  interface Call<V> {
    V call() throws OciException;
  }

  private final Map<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

  // Being reworked in issue 14. Every failure of the leader's call, bugs included, is handed to the
  // callers waiting on it and rethrown unchanged; none is swallowed.
  @SuppressWarnings("checkstyle:IllegalCatch")
  V run(K key, Call<V> call) throws OciException {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> leader = inFlight.putIfAbsent(key, mine);
    if (leader != null) {
      return await(key, leader);
    }
    try {
      V value = call.call();
      mine.complete(value);
      return value;
    } catch (OciException | RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private V await(K key, CompletableFuture<V> leader) throws OciException {
    try {
      return leader.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OciException(
          OciReason.REGISTRY_UNAVAILABLE,
          "interrupted while waiting for " + key,
          Map.of("key", String.valueOf(key)),
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof OciException) {
        OciException failed = (OciException) cause;
        // A new exception so this caller's stack shows where it waited; same reason and evidence.
        if (failed instanceof DigestMismatchException) {
          DigestMismatchException m = (DigestMismatchException) failed;
          DigestMismatchException copy =
              new DigestMismatchException(m.evidence().get("what"), m.expected(), m.actual());
          copy.initCause(failed);
          throw copy;
        }
        throw new OciException(failed.reason(), stripReason(failed), failed.evidence(), failed);
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw (Error) cause;
    }
  }

  private static String stripReason(OciException e) {
    String prefix = e.reason() + ": ";
    String m = e.getMessage();
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }
}
