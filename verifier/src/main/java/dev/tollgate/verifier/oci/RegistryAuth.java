package dev.tollgate.verifier.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Answers a registry's 401 (basic credentials, or a bearer token from the challenge's realm) and
 * remembers the answer per repository.
 *
 * <p>The challenge is the registry's to write, so the realm is an address a hostile registry
 * chooses: it is checked as a redirect is ({@link Destinations}), and the registry's credentials go
 * to it only when the realm is on the registry's own host or on a host configured for that registry
 * (Docker Hub's {@code auth.docker.io} is, by default). Anywhere else the token is asked for
 * anonymously. A token must look like one before it becomes a header.
 */
final class RegistryAuth implements RegistryTransport.Authorizer {
  private static final long MAX_TOKEN_BYTES = 64 * 1024;
  // RFC 6750 b64token; JWTs and registry tokens fit it. Anything else could split a header.
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{1,16384}");

  /** Token hosts that may receive a registry's credentials though they are not its host. */
  static final Map<String, Set<String>> DEFAULT_TOKEN_REALMS =
      Map.of("docker.io", Set.of("auth.docker.io"));

  private final RegistryTransport transport;
  private final RegistryCredentials credentials;
  private final Set<String> plainHttpRegistries;
  private final Map<String, Set<String>> tokenRealms;
  private final Map<String, String> authorization = new ConcurrentHashMap<>();

  RegistryAuth(
      RegistryTransport transport,
      RegistryCredentials credentials,
      Set<String> plainHttpRegistries,
      Map<String, Set<String>> tokenRealms) {
    this.transport = transport;
    this.credentials = credentials;
    this.plainHttpRegistries = Set.copyOf(plainHttpRegistries);
    this.tokenRealms = Map.copyOf(tokenRealms);
  }

  @Override
  public Optional<String> header(Repository repository) {
    return Optional.ofNullable(authorization.get(key(repository)));
  }

  @Override
  public void challenged(
      Repository repository, URI origin, RegistryTransport.Answer challenge, Deadline deadline)
      throws OciException {
    authorization.put(key(repository), answer(repository, origin, challenge, deadline));
  }

  private String answer(
      Repository repository, URI origin, RegistryTransport.Answer challenged, Deadline deadline)
      throws OciException {
    Optional<Credential> credential = credentials.forRegistry(repository.registry());
    Optional<BearerChallenge> challenge =
        BearerChallenge.parse(challenged.header("WWW-Authenticate").orElse(null));
    if (challenge.isPresent() && challenge.get().isBearer()) {
      return "Bearer " + token(repository, origin, challenge.get(), credential, deadline);
    }
    if (challenge.isPresent() && challenge.get().isBasic() && credential.isPresent()) {
      if (!"https".equals(origin.getScheme())
          && !plainHttpRegistries.contains(repository.registry())) {
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
      Repository repository,
      URI origin,
      BearerChallenge challenge,
      Optional<Credential> credential,
      Deadline deadline)
      throws OciException {
    String realm =
        challenge
            .param("realm")
            .orElseThrow(() -> unauthorized(repository, "bearer challenge without realm"));
    StringBuilder query = new StringBuilder();
    challenge.param("service").ifPresent(s -> query.append("service=").append(encode(s)));
    String scope = challenge.param("scope").orElse("repository:" + repository.name() + ":pull");
    query.append(query.length() == 0 ? "" : "&").append("scope=").append(encode(scope));
    URI tokenUri;
    try {
      URI realmUri = new URI(realm);
      if (realmUri.getRawFragment() != null) {
        throw unauthorized(repository, "bearer realm has a fragment");
      }
      tokenUri = new URI(realm + (realmUri.getRawQuery() == null ? "?" : "&") + query);
    } catch (URISyntaxException e) {
      throw unauthorized(repository, "bearer realm is not a URI");
    }
    Destinations.check(origin, tokenUri, "bearer realm");
    if (!"https".equalsIgnoreCase(tokenUri.getScheme()) && !plainAllowed(repository, tokenUri)) {
      throw unauthorized(repository, "bearer realm " + tokenUri.getHost() + " is not https");
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tokenUri).header("Accept", "application/json").GET();
    if (credential.isPresent() && mayReceiveCredentials(repository, origin, tokenUri)) {
      request.header("Authorization", credential.get().basicHeader());
    }
    RegistryTransport.Answer r;
    try {
      r = transport.roundTrip(request, MAX_TOKEN_BYTES, "token response", deadline);
    } catch (IOException e) {
      throw RegistryTransport.unavailable(
          repository, tokenUri, "token request failed: " + e.getClass().getSimpleName(), e);
    }
    if (r.status() != 200) {
      if (r.status() >= 500 || r.status() == 429) {
        throw RegistryTransport.unavailable(
            repository, tokenUri, "token service answered " + r.status(), null);
      }
      throw unauthorized(
          repository, "token service " + tokenUri.getHost() + " answered " + r.status());
    }
    JsonNode json;
    try {
      json = Json.readTree(r.body());
    } catch (MalformedJsonException e) {
      throw unauthorized(repository, "token response is not JSON");
    }
    JsonNode token = json.path("token").isTextual() ? json.get("token") : json.path("access_token");
    if (!token.isTextual() || !TOKEN.matcher(token.asText()).matches()) {
      throw unauthorized(repository, "token response has no well-formed token");
    }
    return token.asText();
  }

  /** The registry's own host, or a token host configured for it; never any other. */
  private boolean mayReceiveCredentials(Repository repository, URI origin, URI tokenUri) {
    String host = tokenUri.getHost().toLowerCase(Locale.ROOT);
    return host.equalsIgnoreCase(origin.getHost())
        || tokenRealms.getOrDefault(repository.registry(), Set.of()).contains(host);
  }

  private boolean plainAllowed(Repository repository, URI tokenUri) {
    String hostPort = tokenUri.getHost() + (tokenUri.getPort() < 0 ? "" : ":" + tokenUri.getPort());
    return "http".equalsIgnoreCase(tokenUri.getScheme())
        && (plainHttpRegistries.contains(hostPort)
            || plainHttpRegistries.contains(repository.registry()));
  }

  private static String key(Repository repository) {
    return repository.registry() + "|" + repository.name();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static OciException unauthorized(Repository repository, String why) {
    return new OciException(
        OciReason.UNAUTHORIZED,
        repository + ": " + why,
        Map.of("repository", repository.toString()));
  }
}
