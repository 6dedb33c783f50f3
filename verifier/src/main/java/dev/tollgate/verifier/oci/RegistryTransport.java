package dev.tollgate.verifier.oci;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The HTTP side of the registry client: one logical GET made of round trips. It answers one
 * challenge (through {@link Authorizer}), follows redirects only where {@link Destinations} allows
 * and with credentials only on the registry's own origin, retries 429, 5xx and dropped connections
 * within the {@link RetryPolicy}, and bounds everything by a {@link Deadline}: each round trip, the
 * body included, and every pause between them.
 */
final class RegistryTransport {
  private static final int MAX_REDIRECTS = 5;

  /** A response whose body (a 200's only) was read within its cap. */
  record Answer(int status, HttpHeaders headers, URI uri, byte[] body) {
    Optional<String> header(String name) {
      return headers.firstValue(name);
    }
  }

  /** Authorization for a registry's repository, and how to earn it when challenged. */
  interface Authorizer {
    Optional<String> header(Repository repository);

    void challenged(Repository repository, URI origin, Answer challenge, Deadline deadline)
        throws OciException;
  }

  /** Waits between retries; replaceable so tests need not sleep. */
  interface Pause {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final HttpClient http;
  private final RetryPolicy retry;
  private final Duration requestTimeout;
  private final Pause pause;
  private final Clock clock;
  private final RoundTripListener roundTrips;

  RegistryTransport(
      HttpClient http,
      RetryPolicy retry,
      Duration requestTimeout,
      Pause pause,
      Clock clock,
      RoundTripListener roundTrips) {
    this.http = http;
    this.retry = retry;
    this.requestTimeout = requestTimeout;
    this.pause = pause;
    this.clock = clock;
    this.roundTrips = roundTrips;
  }

  /**
   * GETs {@code origin} for {@code repository}: the answer after challenges, redirects and retries,
   * with a 200's body read up to {@code cap} bytes.
   */
  Answer get(
      Repository repository,
      URI origin,
      String accept,
      long cap,
      String what,
      Authorizer auth,
      Deadline deadline)
      throws OciException {
    boolean challenged = false;
    URI target = origin;
    int redirects = 0;
    int attempt = 1;
    while (true) {
      HttpRequest.Builder request = HttpRequest.newBuilder(target).header("Accept", accept).GET();
      if (sameOrigin(origin, target)) {
        // Credentials never follow a redirect to another origin, a CDN's included.
        auth.header(repository).ifPresent(a -> request.header("Authorization", a));
      }
      Answer r;
      try {
        r = roundTrip(request, cap, what, deadline);
      } catch (IOException e) {
        // A round trip cut short by the deadline is a timeout, not a connection failure.
        deadline.check(what);
        if (attempt >= retry.maxAttempts()) {
          throw unavailable(
              repository, target, "connection failed: " + e.getClass().getSimpleName(), e);
        }
        sleep(retry.backoff(attempt++), repository, target, deadline, what);
        continue;
      }
      int status = r.status();
      if (status == 401 && !challenged && sameOrigin(origin, target)) {
        challenged = true;
        auth.challenged(repository, origin, r, deadline);
        continue;
      }
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        Optional<String> location = r.header("Location");
        if (location.isEmpty() || ++redirects > MAX_REDIRECTS) {
          throw new OciException(
              OciReason.PROTOCOL_ERROR,
              "missing Location or more than " + MAX_REDIRECTS + " redirects for " + what,
              Map.of("repository", repository.toString(), "status", String.valueOf(status)));
        }
        URI next = Destinations.resolve(target, location.get(), "redirect for " + what);
        Destinations.check(origin, next, "redirect for " + what);
        target = next;
        continue;
      }
      if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
        if (attempt >= retry.maxAttempts()) {
          throw unavailable(
              repository, target, "HTTP " + status + " after " + attempt + " attempts", null);
        }
        Duration wait = retry.backoff(attempt);
        Optional<Duration> retryAfter = retryAfter(r);
        if (retryAfter.isPresent()) {
          if (retryAfter.get().compareTo(retry.maxRetryAfter()) > 0) {
            throw unavailable(
                repository,
                target,
                "HTTP "
                    + status
                    + " with Retry-After "
                    + retryAfter.get().toSeconds()
                    + "s, more than the "
                    + retry.maxRetryAfter().toSeconds()
                    + "s allowed",
                null);
          }
          wait = retryAfter.get();
        }
        attempt++;
        sleep(wait, repository, target, deadline, what);
        continue;
      }
      return r;
    }
  }

  /**
   * One exchange, bounded by the request timeout and the deadline from sending to the body's last
   * byte: a registry trickling a body is cut off. An {@link IOException} is worth retrying.
   */
  Answer roundTrip(HttpRequest.Builder builder, long cap, String what, Deadline deadline)
      throws OciException, IOException {
    Duration budget = deadline.remaining();
    if (budget.isNegative() || budget.isZero()) {
      throw deadline.exceeded(what);
    }
    if (budget.compareTo(requestTimeout) > 0) {
      budget = requestTimeout;
    }
    HttpRequest request = builder.timeout(budget).build();
    long start = System.nanoTime();
    int status = -1;
    CompletableFuture<HttpResponse<byte[]>> pending =
        http.sendAsync(request, CappedBody.handler(cap, what));
    try {
      HttpResponse<byte[]> r = pending.get(budget.toNanos(), TimeUnit.NANOSECONDS);
      status = r.statusCode();
      return new Answer(status, r.headers(), r.uri(), r.body());
    } catch (TimeoutException e) {
      pending.cancel(true);
      deadline.check(what);
      throw new java.net.http.HttpTimeoutException(what + " took longer than " + budget);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new OciException(
          OciReason.REGISTRY_UNAVAILABLE,
          "interrupted while reading " + what,
          Map.of("what", what),
          e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause(), request.uri(), what);
    } finally {
      roundTrips.completed(request.uri(), status, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private static IOException unwrap(Throwable cause, URI uri, String what) throws OciException {
    if (cause instanceof OciException oci) {
      throw oci;
    }
    if (cause instanceof SSLException tls) {
      // Not transient: retrying an untrusted certificate only delays the same answer.
      throw new OciException(
          OciReason.TLS_FAILURE,
          uri.getHost() + ": TLS failed: " + tls.getMessage(),
          Map.of("host", String.valueOf(uri.getHost()), "what", what),
          tls);
    }
    if (cause instanceof IOException io) {
      return io;
    }
    // The JDK's client reports a malformed response (bad status line, headers) this way.
    throw new OciException(
        OciReason.PROTOCOL_ERROR,
        uri.getHost() + ": malformed response to " + what + ": " + cause.getClass().getSimpleName(),
        Map.of("host", String.valueOf(uri.getHost()), "what", what),
        cause);
  }

  private Optional<Duration> retryAfter(Answer r) {
    Optional<String> value = r.header("Retry-After");
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get().trim();
    if (v.matches("[0-9]{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(clock.instant(), at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  private void sleep(Duration d, Repository repository, URI target, Deadline deadline, String what)
      throws OciException {
    if (d.compareTo(deadline.remaining()) >= 0) {
      throw deadline.exceeded(what + " (waiting " + d.toMillis() + " ms to retry)");
    }
    try {
      pause.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(repository, target, "interrupted during backoff", e);
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  static OciException unavailable(Repository repository, URI target, String why, Throwable cause) {
    return new OciException(
        OciReason.REGISTRY_UNAVAILABLE,
        repository.registry() + ": " + why,
        Map.of("repository", repository.toString(), "host", String.valueOf(target.getHost())),
        cause);
  }
}
