package dev.tollgate.gateway.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One call of {@link GitHubChecks} to GitHub's REST API, and what a failed answer means: a
 * retryable or final {@link ReportFailedException}, after GitHub's documented rate-limit rules.
 */
final class GitHubReportCalls {

  /** GitHub's advice when a secondary limit gives no retry-after: wait at least a minute. */
  static final Duration SECONDARY_DEFAULT_WAIT = Duration.ofMinutes(1);

  private final URI api;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient http;

  /** Calls under {@code api} (without a trailing slash), each bounded by {@code timeout}. */
  GitHubReportCalls(URI api, Duration timeout, Clock clock, HttpClient http) {
    this.api = api;
    this.timeout = timeout;
    this.clock = clock;
    this.http = http;
  }

  JsonNode send(String authorization, String method, String path, JsonNode body)
      throws ReportFailedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api + path))
            .timeout(timeout)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("Authorization", authorization);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body)));
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new ReportFailedException(
          ReportFailedException.UNAVAILABLE, true, null, method + " " + path + " timed out");
    } catch (IOException e) {
      throw new ReportFailedException(
          ReportFailedException.UNAVAILABLE,
          true,
          null,
          method + " " + path + " failed: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReportFailedException(
          ReportFailedException.UNAVAILABLE, true, null, "interrupted during " + method);
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      if (response.body().length == 0) {
        return Json.mapper().createObjectNode();
      }
      try {
        return Json.readTree(response.body());
      } catch (MalformedJsonException | UncheckedIOException e) {
        throw unreadable(method + " " + path + " answered " + status + " with no JSON");
      }
    }
    String message = message(response.body());
    throw failure(
        status, response.headers().map(), method + " " + path + " answered " + status + message);
  }

  /** The failure of an answer that was not 2xx, after GitHub's documented rate-limit rules. */
  ReportFailedException failure(
      int status, java.util.Map<String, java.util.List<String>> headers, String what) {
    HeaderView h = new HeaderView(headers);
    if (status == 403 || status == 429) {
      Optional<Long> retryAfter = h.number("retry-after");
      Optional<Long> remaining = h.number("x-ratelimit-remaining");
      if (retryAfter.isPresent()) {
        return new ReportFailedException(
            ReportFailedException.SECONDARY_RATE_LIMITED,
            true,
            Duration.ofSeconds(Math.max(1, retryAfter.get())),
            what + " (retry-after " + retryAfter.get() + " s)");
      }
      if (remaining.isPresent() && remaining.get() == 0) {
        Duration wait =
            h.number("x-ratelimit-reset")
                .map(
                    reset ->
                        Duration.ofSeconds(
                            Math.max(1, reset - clock.instant().getEpochSecond() + 1)))
                .orElse(SECONDARY_DEFAULT_WAIT);
        return new ReportFailedException(
            ReportFailedException.RATE_LIMITED,
            true,
            wait,
            what + " (rate limit spent; resets in " + wait.toSeconds() + " s)");
      }
      if (status == 429 || what.toLowerCase(Locale.ROOT).contains("rate limit")) {
        return new ReportFailedException(
            ReportFailedException.SECONDARY_RATE_LIMITED, true, SECONDARY_DEFAULT_WAIT, what);
      }
      return new ReportFailedException(ReportFailedException.UNAUTHORIZED, false, null, what);
    }
    if (status == 401) {
      return new ReportFailedException(ReportFailedException.UNAUTHORIZED, false, null, what);
    }
    if (status == 404 || status == 422 || status == 400 || status == 410) {
      return new ReportFailedException(ReportFailedException.REFUSED, false, null, what);
    }
    return new ReportFailedException(ReportFailedException.UNAVAILABLE, true, null, what);
  }

  /** GitHub's error message (its {@code message} field), bounded; never the whole body. */
  private static String message(byte[] body) {
    try {
      JsonNode error = Json.readTree(body);
      String message = error.path("message").asText("");
      if (message.isEmpty()) {
        return "";
      }
      return ": " + (message.length() > 200 ? message.substring(0, 200) : message);
    } catch (MalformedJsonException | UncheckedIOException e) {
      return "";
    }
  }

  static ReportFailedException unreadable(String why) {
    return new ReportFailedException(
        ReportFailedException.UNREADABLE, true, null, "GitHub's answer could not be read: " + why);
  }

  /** Response headers looked up case-insensitively, as HTTP names are. */
  private record HeaderView(java.util.Map<String, java.util.List<String>> headers) {
    Optional<Long> number(String name) {
      if (headers == null) {
        return Optional.empty();
      }
      for (var e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          try {
            return Optional.of(Long.parseLong(e.getValue().get(0).trim()));
          } catch (NumberFormatException notANumber) {
            return Optional.empty();
          }
        }
      }
      return Optional.empty();
    }
  }
}
