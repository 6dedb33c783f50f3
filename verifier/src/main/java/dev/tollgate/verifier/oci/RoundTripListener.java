package dev.tollgate.verifier.oci;

import java.net.URI;
import java.time.Duration;

/**
 * Told about every HTTP exchange the registry client makes (manifests, blobs, tag lists, referrers,
 * token requests, retries and redirects each count): how benchmarks and metrics see how many
 * registry round trips a verification needs and how long they took.
 */
@FunctionalInterface
public interface RoundTripListener {
  /**
   * @param status the HTTP status, or -1 when the exchange failed without one
   * @param elapsed from sending the request to having the response (the body read, when wanted)
   */
  void completed(URI uri, int status, Duration elapsed);

  /** Ignores everything. */
  static RoundTripListener none() {
    return (uri, status, elapsed) -> {};
  }
}
