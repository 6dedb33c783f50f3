package dev.tollgate.gateway.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.event.TriggerEvent.Permission;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHPermissionType;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.HttpException;
import org.kohsuke.github.authorization.AppInstallationAuthorizationProvider;
import org.kohsuke.github.extras.HttpClientGitHubConnector;

/**
 * The GitHub REST API, through the GitHub API for Java, for the two questions the gateway asks:
 * what permission a sender has on a repository ({@code GET
 * /repos/{owner}/{repo}/collaborators/{username}/permission}), cached with a TTL and a shorter
 * negative TTL; and what a pull request's head is now ({@code GET
 * /repos/{owner}/{repo}/pulls/{n}}), never cached. Every call is bounded by the configured timeout,
 * and neither rate-limit nor abuse-limit answers are waited out: they fail the lookup, which marks
 * the identity unverified.
 */
@Singleton
public class GitHubApi {

  private static final Logger LOG = Logger.getLogger(GitHubApi.class);

  private final GitHubCredentials credentials;
  private final Duration timeout;
  private final MeterRegistry meters;
  private final Cache<PermissionKey, Lookup> permissions;
  private final Cache<String, GitHub> clients;
  private final ExecutorService calls;
  private final HttpClient http;

  private record PermissionKey(String repository, String login, Long installationId) {}

  /** A permission, or why there is none. */
  private record Lookup(Permission permission, IdentityUnavailableException failure) {}

  @Inject
  public GitHubApi(GitHubCredentials credentials, GatewayConfig config, MeterRegistry meters) {
    this(
        credentials,
        config.identity().apiTimeout(),
        config.identity().permissionTtl(),
        config.identity().negativeTtl(),
        config.identity().cacheSize(),
        meters);
  }

  /** With explicit settings, for tests and tools. */
  public GitHubApi(
      GitHubCredentials credentials,
      Duration timeout,
      Duration ttl,
      Duration negativeTtl,
      long cacheSize,
      MeterRegistry meters) {
    this.credentials = credentials;
    this.timeout = timeout;
    this.meters = meters;
    this.permissions =
        Caffeine.newBuilder()
            .maximumSize(cacheSize)
            .expireAfter(
                new Expiry<PermissionKey, Lookup>() {
                  @Override
                  public long expireAfterCreate(PermissionKey key, Lookup value, long now) {
                    return (value.failure() == null ? ttl : negativeTtl).toNanos();
                  }

                  @Override
                  public long expireAfterUpdate(
                      PermissionKey key, Lookup value, long now, long current) {
                    return expireAfterCreate(key, value, now);
                  }

                  @Override
                  public long expireAfterRead(
                      PermissionKey key, Lookup value, long now, long current) {
                    return current;
                  }
                })
            .recordStats()
            .build();
    CaffeineCacheMetrics.monitor(meters, permissions, "tollgate.github.permissions");
    this.clients = Caffeine.newBuilder().maximumSize(1000).build();
    this.calls =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "tollgate-github-api");
              t.setDaemon(true);
              return t;
            });
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Whether a token or a GitHub App is configured. */
  public boolean configured() {
    return credentials.configured();
  }

  /**
   * The sender's permission on the repository, from the cache or the API.
   *
   * @param installationId the delivery's App installation, needed when authenticating as an App
   * @throws IdentityUnavailableException with the reason when the API could not answer (that answer
   *     is remembered for the negative TTL)
   */
  public Permission permission(String repository, String login, Long installationId)
      throws IdentityUnavailableException {
    if (!credentials.configured()) {
      throw new IdentityUnavailableException(
          IdentityUnavailableException.NOT_CONFIGURED,
          "no GitHub token or App is configured (" + GitHubCredentials.TOKEN_PROPERTY + ")",
          null);
    }
    Lookup lookup =
        permissions.get(
            new PermissionKey(repository, login, credentials.isApp() ? installationId : null),
            key -> lookUpPermission(key));
    if (lookup.failure() != null) {
      throw lookup.failure();
    }
    return lookup.permission();
  }

  /**
   * The pull request's head now, straight from the API.
   *
   * @throws IdentityUnavailableException when the API could not answer
   */
  public PullRequestHead pullRequestHead(String repository, long number, Long installationId)
      throws IdentityUnavailableException {
    if (!credentials.configured()) {
      throw new IdentityUnavailableException(
          IdentityUnavailableException.NOT_CONFIGURED,
          "no GitHub token or App is configured",
          null);
    }
    return call(
        "pull_request",
        () -> {
          GHPullRequest pr =
              client(installationId, repository)
                  .getRepository(repository)
                  .getPullRequest(Math.toIntExact(number));
          GHRepository head = pr.getHead().getRepository();
          java.util.Date updated = pr.getUpdatedAt();
          return new PullRequestHead(
              pr.getHead().getSha(),
              head == null ? null : head.getFullName(),
              pr.getBase().getRepository().getFullName(),
              updated == null ? null : updated.toInstant());
        });
  }

  private Lookup lookUpPermission(PermissionKey key) {
    try {
      GHPermissionType type =
          call(
              "permission",
              () ->
                  client(key.installationId(), key.repository())
                      .getRepository(key.repository())
                      .getPermission(key.login()));
      Permission permission = permission(type);
      if (permission == null) {
        return new Lookup(
            null,
            new IdentityUnavailableException(
                IdentityUnavailableException.UNREADABLE,
                "the API answered a permission this gateway does not know",
                null));
      }
      return new Lookup(permission, null);
    } catch (IdentityUnavailableException e) {
      return new Lookup(null, e);
    }
  }

  static Permission permission(GHPermissionType type) {
    if (type == null) {
      return null;
    }
    switch (type) {
      case ADMIN:
        return Permission.ADMIN;
      case WRITE:
        return Permission.WRITE;
      case READ:
        return Permission.READ;
      case NONE:
        return Permission.NONE;
      default:
        return null;
    }
  }

  /** A blocking API call. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  private <T> T call(String operation, Call<T> call) throws IdentityUnavailableException {
    CompletableFuture<T> future =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return call.run();
              } catch (IOException e) {
                throw new CallFailed(e);
              }
            },
            calls);
    try {
      T result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      count(operation, "ok");
      return result;
    } catch (TimeoutException e) {
      future.cancel(true);
      count(operation, "timeout");
      throw new IdentityUnavailableException(
          IdentityUnavailableException.TIMEOUT,
          "the GitHub API did not answer within " + timeout,
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IdentityUnavailableException(
          IdentityUnavailableException.TIMEOUT, "interrupted while asking the GitHub API", e);
    } catch (ExecutionException e) {
      IdentityUnavailableException failure = failure(e.getCause());
      count(operation, failure.reason());
      LOG.debugf("GitHub API %s failed: %s", operation, failure.getMessage());
      throw failure;
    }
  }

  private void count(String operation, String outcome) {
    meters
        .counter("tollgate.gateway.github.api.calls", "operation", operation, "outcome", outcome)
        .increment();
  }

  static IdentityUnavailableException failure(Throwable thrown) {
    Throwable cause = thrown instanceof CallFailed ? thrown.getCause() : thrown;
    if (cause instanceof GHFileNotFoundException) {
      return new IdentityUnavailableException(
          IdentityUnavailableException.NOT_FOUND, "the GitHub API answered 404", null);
    }
    if (cause instanceof HttpException) {
      int status = ((HttpException) cause).getResponseCode();
      String reason;
      if (status == 401) {
        reason = IdentityUnavailableException.UNAUTHORIZED;
      } else if (status == 403 || status == 429) {
        reason = IdentityUnavailableException.FORBIDDEN;
      } else if (status == 404) {
        reason = IdentityUnavailableException.NOT_FOUND;
      } else if (status == -1 || status >= 500) {
        reason = IdentityUnavailableException.UNAVAILABLE;
      } else {
        reason = IdentityUnavailableException.UNREADABLE;
      }
      return new IdentityUnavailableException(reason, "the GitHub API answered " + status, null);
    }
    if (cause instanceof HttpTimeoutException) {
      return new IdentityUnavailableException(
          IdentityUnavailableException.TIMEOUT, "the GitHub API timed out", null);
    }
    if (cause instanceof IOException) {
      return new IdentityUnavailableException(
          IdentityUnavailableException.UNAVAILABLE,
          "the GitHub API could not be reached: " + cause.getClass().getSimpleName(),
          null);
    }
    // Anything else (a response the library cannot bind, a null field) is unreadable, not a 5xx.
    return new IdentityUnavailableException(
        IdentityUnavailableException.UNREADABLE,
        "the GitHub API's answer could not be read: " + cause.getClass().getSimpleName(),
        null);
  }

  /**
   * The client for a call about {@code repository}: with a token, the one client; as a GitHub App,
   * one per installation, authenticated with the installation's access token (minted with the App's
   * JWT by {@code POST /app/installations/{id}/access_tokens} and renewed before it expires). The
   * installation is the delivery's; when the delivery names none (a repository webhook while the
   * gateway authenticates as an App), it is looked up by {@code GET
   * /repos/{owner}/{repo}/installation}.
   */
  private GitHub client(Long installationId, String repository) throws IOException {
    String key;
    AppInstallationAuthorizationProvider.AppInstallationProvider installation;
    if (!credentials.isApp()) {
      key = "token";
      installation = null;
    } else if (installationId != null) {
      key = "installation:" + installationId;
      installation = app -> app.getInstallationById(installationId);
    } else {
      String[] ownerAndName = repository.split("/", 2);
      key = "repository:" + repository;
      installation = app -> app.getInstallationByRepository(ownerAndName[0], ownerAndName[1]);
    }
    GitHub existing = clients.getIfPresent(key);
    if (existing != null) {
      return existing;
    }
    GitHubBuilder builder =
        new GitHubBuilder()
            .withEndpoint(credentials.apiUrl().toString())
            .withConnector(new HttpClientGitHubConnector(http))
            .withRateLimitHandler(GitHubRateLimitHandler.FAIL)
            .withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL);
    if (credentials.isApp()) {
      builder.withAuthorizationProvider(
          new AppInstallationAuthorizationProvider(installation, credentials.appAuthorization()));
    } else {
      builder.withAuthorizationProvider(credentials::tokenAuthorization);
    }
    GitHub client = builder.build();
    clients.put(key, client);
    return client;
  }

  @PreDestroy
  void close() {
    calls.shutdownNow();
  }

  /** Carries an IOException out of a supplier. */
  private static final class CallFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CallFailed(IOException cause) {
      super(cause);
    }
  }
}
