package dev.tollgate.gateway.redeliver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two calls the {@link RedeliveryJob} makes on the hook's deliveries ({@code GET
 * .../deliveries}, page by page, and {@code POST .../deliveries/{id}/attempts}), for the repository
 * webhook configured or else the GitHub App's webhook, and the reading of their answers.
 */
final class HookDeliveriesApi {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
  private static final int RETRIES = 3;

  private final GatewayConfig.Redelivery config;
  private final GitHubCredentials credentials;
  private final HttpClient http;

  HookDeliveriesApi(GatewayConfig.Redelivery config, GitHubCredentials credentials) {
    this.config = config;
    this.credentials = credentials;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The first page of the delivery list, newest first. */
  URI firstPage() {
    return URI.create(base() + "/deliveries?per_page=100");
  }

  /** Reads one page of the delivery list. */
  HttpResponse<byte[]> list(URI page) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(page).GET());
  }

  /** Asks GitHub to redeliver the attempt {@code id}. */
  HttpResponse<byte[]> redeliver(long id) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(base() + "/deliveries/" + id + "/attempts"))
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** Whether {@code uri} is on the configured API's origin (scheme, host and port). */
  boolean sameOrigin(URI uri) {
    return sameOrigin(uri, credentials.apiUrl());
  }

  private String base() {
    return credentials.apiUrl()
        + (config.repository().isPresent()
            ? "/repos/" + config.repository().get() + "/hooks/" + config.hookId().orElseThrow()
            : "/app/hook");
  }

  /** Sends with the credential, retrying 5xx with doubling backoff (rate limits are not). */
  private HttpResponse<byte[]> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    Duration wait = config.backoff();
    for (int attempt = 1; ; attempt++) {
      HttpRequest built =
          request
              .copy()
              .timeout(Duration.ofSeconds(10))
              .header("Accept", "application/vnd.github+json")
              .header("X-GitHub-Api-Version", "2022-11-28")
              .header("Authorization", authorization())
              .build();
      HttpResponse<byte[]> response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() < 500 || attempt >= RETRIES) {
        return response;
      }
      Thread.sleep(wait.toMillis());
      wait = wait.multipliedBy(2);
    }
  }

  private String authorization() throws IOException {
    return credentials.isApp()
        ? credentials.appAuthorization().getEncodedAuthorization()
        : credentials.tokenAuthorization();
  }

  /** The rows of a delivery list page that can be acted on; other rows are left to a human. */
  static List<HookDelivery> parse(byte[] body) throws IOException {
    JsonNode list;
    try {
      list = Json.readTree(body);
    } catch (MalformedJsonException e) {
      throw new IOException("the delivery list is not JSON: " + e.getMessage());
    }
    if (!list.isArray()) {
      throw new IOException("the delivery list is not a JSON array");
    }
    List<HookDelivery> deliveries = new ArrayList<>();
    for (JsonNode d : list) {
      if (!d.path("id").canConvertToLong()
          || !d.path("guid").isTextual()
          || !d.path("delivered_at").isTextual()) {
        continue; // a row we cannot act on is left to a human
      }
      try {
        deliveries.add(
            new HookDelivery(
                d.get("id").longValue(),
                d.get("guid").textValue(),
                Instant.parse(d.get("delivered_at").textValue()),
                d.path("status_code").asInt(0),
                d.path("redelivery").asBoolean(false)));
      } catch (DateTimeException e) {
        continue;
      }
    }
    return deliveries;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  /** The next page GitHub links to (Link rel="next"), or null at the last page. */
  static URI next(HttpResponse<?> response) {
    for (String link : response.headers().allValues("Link")) {
      Matcher m = NEXT.matcher(link);
      if (m.find()) {
        try {
          return URI.create(m.group(1));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }
}
