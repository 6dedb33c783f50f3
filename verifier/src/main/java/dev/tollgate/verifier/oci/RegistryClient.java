package dev.tollgate.verifier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads manifests and blobs from an OCI distribution registry over HTTP(S), with the JDK's {@link
 * HttpClient}: anonymous, basic or bearer-token auth, custom CA, bounded retries with backoff
 * honouring {@code Retry-After}, size limits, and one in-flight fetch per digest. Every manifest
 * and blob is checked against its digest before it is returned.
 */
public final class RegistryClient implements OciSource {
  private static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.MANIFESTS);
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_REFERRER_PAGES = 20;
  private static final long MAX_TOKEN_BYTES = 64 * 1024;

  private final HttpClient http;
  private final RegistryCredentials credentials;
  private final Set<String> plainHttpRegistries;
  private final RetryPolicy retry;
  private final long maxManifestBytes;
  private final long maxBlobBytes;
  private final Duration requestTimeout;
  private final Sleeper sleeper;
  private final Clock clock;
  private final RoundTripListener roundTrips;
  private final Map<String, String> authorization = new ConcurrentHashMap<>();
  private final SingleFlight<String, Manifest> manifestFlights = new SingleFlight<>();
  private final SingleFlight<String, byte[]> blobFlights = new SingleFlight<>();

  /** Waits between retries; replaceable so tests need not sleep. */
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private RegistryClient(Builder b, HttpClient http) {
    this.http = http;
    this.credentials = b.credentials;
    this.plainHttpRegistries = Set.copyOf(b.plainHttpRegistries);
    this.retry = b.retry;
    this.maxManifestBytes = b.maxManifestBytes;
    this.maxBlobBytes = b.maxBlobBytes;
    this.requestTimeout = b.requestTimeout;
    this.sleeper = b.sleeper;
    this.clock = b.clock;
    this.roundTrips = b.roundTrips;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Manifest resolve(ImageReference reference) throws OciException {
    if (reference.digest().isPresent()) {
      return manifest(reference.repository(), reference.digest().get());
    }
    String tag = reference.tag().orElseThrow();
    return tag(reference.repository(), tag)
        .orElseThrow(
            () ->
                new OciException(
                    OciReason.MANIFEST_UNKNOWN,
                    "tag " + tag + " not found in " + reference.repository(),
                    Map.of("reference", reference.toString())));
  }

  @Override
  public Manifest manifest(Repository repository, Digest digest) throws OciException {
    return manifestFlights.run(
        repository + "@" + digest,
        () -> {
          Fetched f = fetchManifest(repository, digest.toString());
          if (f == null) {
            throw new OciException(
                OciReason.MANIFEST_UNKNOWN,
                "manifest " + digest + " not found in " + repository,
                Map.of("repository", repository.toString(), "digest", digest.toString()));
          }
          return Manifest.parse(digest, f.body, f.contentType);
        });
  }

  @Override
  public Optional<Manifest> tag(Repository repository, String tag) throws OciException {
    Fetched f = fetchManifest(repository, tag);
    if (f == null) {
      return Optional.empty();
    }
    // The digest we pin is the hash of the bytes we received; a registry that claims another one
    // is serving something other than what it says.
    Digest actual = Digest.of(f.body);
    Optional<String> claimed = f.headers.firstValue("Docker-Content-Digest");
    if (claimed.isPresent() && !claimed.get().equals(actual.toString())) {
      Digest claimedDigest = Digest.parse(claimed.get());
      throw new DigestMismatchException(
          "manifest for tag " + repository + ":" + tag, claimedDigest, actual);
    }
    return Optional.of(Manifest.parse(actual, f.body, f.contentType));
  }

  @Override
  public byte[] blob(Repository repository, Descriptor descriptor) throws OciException {
    Digest digest = descriptor.digest();
    if (descriptor.size() > maxBlobBytes) {
      throw tooLarge("blob " + digest, descriptor.size(), maxBlobBytes);
    }
    byte[] bytes =
        blobFlights.run(
            repository + "@" + digest,
            () -> {
              HttpResponse<InputStream> r =
                  exchange(repository, path(repository, "blobs/" + digest), "*/*");
              if (r.statusCode() == 404) {
                close(r);
                throw new OciException(
                    OciReason.BLOB_UNKNOWN,
                    "blob " + digest + " not found in " + repository,
                    Map.of("repository", repository.toString(), "digest", digest.toString()));
              }
              expectOk(r, repository, "blob " + digest);
              byte[] body =
                  readLimited(r, Math.min(maxBlobBytes, descriptor.size()), "blob " + digest);
              digest.verify("blob in " + repository, body);
              return body;
            });
    if (bytes.length != descriptor.size()) {
      throw new OciException(
          OciReason.MALFORMED_MANIFEST,
          "blob "
              + digest
              + " is "
              + bytes.length
              + " bytes, its descriptor says "
              + descriptor.size(),
          Map.of("digest", digest.toString()));
    }
    return bytes.clone();
  }

  @Override
  public Optional<List<Descriptor>> referrers(Repository repository, Digest subject)
      throws OciException {
    List<Descriptor> all = new ArrayList<>();
    URI next = path(repository, "referrers/" + subject);
    for (int page = 0; next != null; page++) {
      if (page == MAX_REFERRER_PAGES) {
        throw new OciException(
            OciReason.TOO_LARGE,
            "referrers of " + subject + " span more than " + MAX_REFERRER_PAGES + " pages",
            Map.of("subject", subject.toString()));
      }
      HttpResponse<InputStream> r = exchange(repository, next, MediaTypes.OCI_INDEX);
      if (r.statusCode() == 404 && page == 0) {
        // OCI distribution 1.1: a registry without the referrers API answers 404.
        close(r);
        return Optional.empty();
      }
      expectOk(r, repository, "referrers of " + subject);
      byte[] body = readLimited(r, maxManifestBytes, "referrers index of " + subject);
      // The referrers index is generated by the registry, not content-addressed: its own hash is
      // the only digest it has. Each referrer is fetched by digest later.
      Manifest index =
          Manifest.parse(
              Digest.of(body), body, r.headers().firstValue("Content-Type").orElse(null));
      if (!index.isIndex()) {
        throw Descriptor.malformed(index.digest(), "referrers response is not an index");
      }
      all.addAll(index.manifests());
      next = nextPage(r, next);
    }
    return Optional.of(all);
  }

  private URI nextPage(HttpResponse<?> r, URI current) {
    Optional<String> link = r.headers().firstValue("Link");
    if (link.isEmpty()) {
      return null;
    }
    Matcher m = NEXT_LINK.matcher(link.get());
    if (!m.find()) {
      return null;
    }
    URI next = current.resolve(m.group(1));
    // Follow pagination only on the same registry: credentials are scoped to it.
    return sameOrigin(current, next) ? next : null;
  }

  /** A manifest fetched by tag or digest; null when the registry says it does not exist. */
  private Fetched fetchManifest(Repository repository, String reference) throws OciException {
    HttpResponse<InputStream> r =
        exchange(repository, path(repository, "manifests/" + reference), MANIFEST_ACCEPT);
    if (r.statusCode() == 404) {
      close(r);
      return null;
    }
    expectOk(r, repository, "manifest " + reference);
    byte[] body = readLimited(r, maxManifestBytes, "manifest " + repository + ":" + reference);
    return new Fetched(body, r.headers().firstValue("Content-Type").orElse(null), r.headers());
  }

  private record Fetched(byte[] body, String contentType, java.net.http.HttpHeaders headers) {}

  /**
   * One logical request: authenticates on 401 (once), follows redirects without forwarding
   * credentials to another host, and retries 429/5xx and connection failures within the policy.
   */
  private HttpResponse<InputStream> exchange(Repository repository, URI uri, String accept)
      throws OciException {
    String authKey = repository.registry() + "|" + repository.name();
    boolean authenticated = false;
    URI target = uri;
    int redirects = 0;
    int attempt = 1;
    while (true) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target).timeout(requestTimeout).header("Accept", accept).GET();
      String auth = authorization.get(authKey);
      if (auth != null && sameOrigin(uri, target)) {
        request.header("Authorization", auth);
      }
      HttpResponse<InputStream> r;
      try {
        r = send(request.build());
      } catch (javax.net.ssl.SSLException e) {
        // Not transient: retrying an untrusted certificate only delays the same answer.
        throw new OciException(
            OciReason.TLS_FAILURE,
            repository.registry() + ": TLS failed: " + e.getMessage(),
            Map.of("repository", repository.toString(), "host", String.valueOf(target.getHost())),
            e);
      } catch (IOException e) {
        if (attempt >= retry.maxAttempts()) {
          throw unavailable(
              repository, target, "connection failed: " + e.getClass().getSimpleName(), e);
        }
        pause(retry.backoff(attempt++), repository, target);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable(repository, target, "interrupted", e);
      }
      int status = r.statusCode();
      if (status == 401 && !authenticated && sameOrigin(uri, target)) {
        close(r);
        authenticated = true;
        authorization.put(authKey, authenticate(repository, r));
        continue;
      }
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        close(r);
        Optional<String> location = r.headers().firstValue("Location");
        if (location.isEmpty() || ++redirects > MAX_REDIRECTS) {
          throw new OciException(
              OciReason.PROTOCOL_ERROR,
              "bad or too many redirects from " + target.getHost(),
              Map.of("repository", repository.toString(), "status", String.valueOf(status)));
        }
        target = target.resolve(location.get());
        continue;
      }
      if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
        close(r);
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
        pause(wait, repository, target);
        continue;
      }
      return r;
    }
  }

  /** Answers a 401: basic credentials, or a bearer token from the challenge's realm. */
  private String authenticate(Repository repository, HttpResponse<?> challenged)
      throws OciException {
    Optional<Credential> credential = credentials.forRegistry(repository.registry());
    Optional<BearerChallenge> challenge =
        BearerChallenge.parse(challenged.headers().firstValue("WWW-Authenticate").orElse(null));
    if (challenge.isPresent() && challenge.get().isBearer()) {
      return "Bearer " + token(repository, challenge.get(), credential);
    }
    if (challenge.isPresent() && challenge.get().isBasic() && credential.isPresent()) {
      if (!isTls(challenged.uri()) && !plainHttpRegistries.contains(repository.registry())) {
        throw unauthorized(repository, "refusing to send basic credentials without TLS");
      }
      return credential.get().basicHeader();
    }
    throw unauthorized(
        repository,
        credential.isPresent()
            ? "the registry's challenge is not one we answer"
            : "the registry requires credentials and none are configured for "
                + repository.registry());
  }

  private String token(
      Repository repository, BearerChallenge challenge, Optional<Credential> credential)
      throws OciException {
    String realm =
        challenge
            .param("realm")
            .orElseThrow(() -> unauthorized(repository, "bearer challenge without realm"));
    URI realmUri;
    try {
      realmUri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw unauthorized(repository, "bearer realm is not a URI");
    }
    boolean plainAllowed =
        plainHttpRegistries.contains(
                realmUri.getHost() + (realmUri.getPort() < 0 ? "" : ":" + realmUri.getPort()))
            || plainHttpRegistries.contains(repository.registry());
    if (!isTls(realmUri) && !(plainAllowed && "http".equals(realmUri.getScheme()))) {
      throw unauthorized(repository, "bearer realm " + realmUri.getHost() + " is not https");
    }
    StringBuilder query = new StringBuilder();
    challenge.param("service").ifPresent(s -> query.append("service=").append(encode(s)));
    String scope = challenge.param("scope").orElse("repository:" + repository.name() + ":pull");
    query.append(query.length() == 0 ? "" : "&").append("scope=").append(encode(scope));
    URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tokenUri)
            .timeout(requestTimeout)
            .header("Accept", "application/json")
            .GET();
    credential.ifPresent(c -> request.header("Authorization", c.basicHeader()));
    HttpResponse<InputStream> r;
    try {
      r = send(request.build());
    } catch (IOException e) {
      throw unavailable(
          repository, tokenUri, "token request failed: " + e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(repository, tokenUri, "interrupted", e);
    }
    if (r.statusCode() != 200) {
      close(r);
      if (r.statusCode() >= 500 || r.statusCode() == 429) {
        throw unavailable(repository, tokenUri, "token service answered " + r.statusCode(), null);
      }
      throw unauthorized(
          repository, "token service " + tokenUri.getHost() + " answered " + r.statusCode());
    }
    byte[] body = readLimited(r, MAX_TOKEN_BYTES, "token response");
    JsonNode json;
    try {
      json = Json.readTree(body);
    } catch (MalformedJsonException e) {
      throw unauthorized(repository, "token response is not JSON");
    }
    String token = json.path("token").asText(json.path("access_token").asText(""));
    if (token.isEmpty()) {
      throw unauthorized(repository, "token response has no token");
    }
    return token;
  }

  private Optional<Duration> retryAfter(HttpResponse<?> r) {
    Optional<String> value = r.headers().firstValue("Retry-After");
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
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private void pause(Duration d, Repository repository, URI target) throws OciException {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(repository, target, "interrupted during backoff", e);
    }
  }

  private static byte[] readLimited(HttpResponse<InputStream> r, long limit, String what)
      throws OciException {
    Optional<String> length = r.headers().firstValue("Content-Length");
    if (length.isPresent()
        && length.get().matches("[0-9]{1,18}")
        && Long.parseLong(length.get()) > limit) {
      close(r);
      throw tooLarge(what, Long.parseLong(length.get()), limit);
    }
    try (InputStream in = r.body()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[16 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        total += n;
        if (total > limit) {
          throw tooLarge(what, total, limit);
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new OciException(
          OciReason.REGISTRY_UNAVAILABLE,
          "reading " + what + " failed: " + e.getClass().getSimpleName(),
          Map.of("what", what),
          e);
    }
  }

  private static void expectOk(HttpResponse<InputStream> r, Repository repository, String what)
      throws OciException {
    int status = r.statusCode();
    if (status == 200) {
      return;
    }
    close(r);
    Map<String, String> evidence =
        Map.of("repository", repository.toString(), "status", String.valueOf(status), "what", what);
    if (status == 401 || status == 403) {
      throw new OciException(
          OciReason.UNAUTHORIZED,
          "registry refused access to " + what + " (HTTP " + status + ")",
          evidence);
    }
    throw new OciException(
        OciReason.PROTOCOL_ERROR, "unexpected HTTP " + status + " for " + what, evidence);
  }

  private static void close(HttpResponse<InputStream> r) {
    try {
      // closing releases the connection; the body is not needed
      r.body().close();
    } catch (IOException e) {
      // a failure to discard a body we do not read changes nothing
    }
  }

  private URI path(Repository repository, String rest) {
    String host =
        "docker.io".equals(repository.registry()) ? "registry-1.docker.io" : repository.registry();
    String scheme = plainHttpRegistries.contains(repository.registry()) ? "http" : "https";
    return URI.create(scheme + "://" + host + "/v2/" + repository.name() + "/" + rest);
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equals(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  private static boolean isTls(URI uri) {
    return "https".equals(uri.getScheme());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static OciException tooLarge(String what, long size, long limit) {
    return new OciException(
        OciReason.TOO_LARGE,
        what + " is " + size + " bytes or more, the limit is " + limit,
        Map.of("what", what, "size", String.valueOf(size), "limit", String.valueOf(limit)));
  }

  private static OciException unavailable(
      Repository repository, URI target, String why, Throwable cause) {
    return new OciException(
        OciReason.REGISTRY_UNAVAILABLE,
        repository.registry() + ": " + why,
        Map.of("repository", repository.toString(), "host", String.valueOf(target.getHost())),
        cause);
  }

  private static OciException unauthorized(Repository repository, String why) {
    return new OciException(
        OciReason.UNAUTHORIZED,
        repository + ": " + why,
        Map.of("repository", repository.toString()));
  }

  /** One exchange, reported to the round-trip listener whether it succeeded or not. */
  private HttpResponse<InputStream> send(HttpRequest request)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    int status = -1;
    try {
      HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = r.statusCode();
      return r;
    } finally {
      roundTrips.completed(request.uri(), status, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /**
   * Settings with safe defaults: TLS with the JDK's CAs, anonymous, 4 MiB manifests, 512 MiB blobs.
   */
  public static final class Builder {
    private RegistryCredentials credentials = RegistryCredentials.anonymous();
    private final java.util.Set<String> plainHttpRegistries = new java.util.HashSet<>();
    private RetryPolicy retry = RetryPolicy.defaults();
    private long maxManifestBytes = 4L * 1024 * 1024;
    private long maxBlobBytes = 512L * 1024 * 1024;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private SSLContext sslContext;
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
    private Clock clock = Clock.systemUTC();
    private RoundTripListener roundTrips = RoundTripListener.none();

    private Builder() {}

    /** Told about every HTTP exchange (for benchmarks and metrics). */
    public Builder roundTrips(RoundTripListener listener) {
      this.roundTrips = java.util.Objects.requireNonNull(listener);
      return this;
    }

    public Builder credentials(RegistryCredentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /** Talks plain HTTP to this registry ({@code host:port}); for local test registries only. */
    public Builder plainHttp(String registry) {
      plainHttpRegistries.add(registry);
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      this.retry = retry;
      return this;
    }

    public Builder maxManifestBytes(long limit) {
      this.maxManifestBytes = limit;
      return this;
    }

    public Builder maxBlobBytes(long limit) {
      this.maxBlobBytes = limit;
      return this;
    }

    public Builder timeouts(Duration connect, Duration request) {
      this.connectTimeout = connect;
      this.requestTimeout = request;
      return this;
    }

    /**
     * Trusts exactly the CA certificates in this PEM file for TLS, instead of the JDK's defaults:
     * for registries behind a private CA.
     */
    public Builder trustedCertificates(java.nio.file.Path pem) throws OciException {
      try (InputStream in = java.nio.file.Files.newInputStream(pem)) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("ca-" + i++, c);
        }
        if (i == 0) {
          throw new CertificateException("no certificate in file");
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        this.sslContext = context;
        return this;
      } catch (IOException | GeneralSecurityException e) {
        throw new OciException(
            OciReason.PROTOCOL_ERROR,
            "cannot use CA certificates from " + pem + ": " + e.getMessage(),
            Map.of("file", pem.toString()),
            e);
      }
    }

    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public RegistryClient build() {
      if (maxManifestBytes <= 0 || maxBlobBytes <= 0) {
        throw new IllegalArgumentException("size limits are positive");
      }
      HttpClient.Builder http =
          HttpClient.newBuilder()
              .connectTimeout(connectTimeout)
              // Redirects are followed by hand so credentials never go to another host.
              .followRedirects(HttpClient.Redirect.NEVER);
      if (sslContext != null) {
        http.sslContext(sslContext);
      }
      return new RegistryClient(this, http.build());
    }
  }
}
