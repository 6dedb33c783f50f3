package dev.tollgate.gateway.report;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.identity.GitHubCredentials;
import java.net.http.HttpClient;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.authorization.AppInstallationAuthorizationProvider;
import org.kohsuke.github.extras.HttpClientGitHubConnector;

/** The GitHub App's installation tokens, as the Authorization of {@link GitHubChecks}' calls. */
final class InstallationTokens {

  private InstallationTokens() {}

  /**
   * Installation tokens of the App, one provider per installation (minted with the App's JWT by
   * {@code POST /app/installations/{id}/access_tokens} and renewed before they expire). A target
   * without an installation (a repository webhook) is looked up by {@code GET
   * /repos/{owner}/{repo}/installation}.
   */
  static GitHubChecks.Authorizer authorizer(GitHubCredentials credentials, HttpClient http) {
    Cache<String, AppInstallationAuthorizationProvider> providers =
        Caffeine.newBuilder().maximumSize(1000).build();
    return target -> {
      String key =
          target.installationId() != null
              ? "installation:" + target.installationId()
              : "repository:" + target.repository();
      AppInstallationAuthorizationProvider provider = providers.getIfPresent(key);
      if (provider == null) {
        Long id = target.installationId();
        String[] ownerAndName = target.repository().split("/", 2);
        provider =
            new AppInstallationAuthorizationProvider(
                app ->
                    id != null
                        ? app.getInstallationById(id)
                        : app.getInstallationByRepository(ownerAndName[0], ownerAndName[1]),
                credentials.appAuthorization());
        // Building binds the provider to a client, which it mints its tokens through.
        new GitHubBuilder()
            .withEndpoint(credentials.apiUrl().toString())
            .withConnector(new HttpClientGitHubConnector(http))
            .withRateLimitHandler(GitHubRateLimitHandler.FAIL)
            .withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL)
            .withAuthorizationProvider(provider)
            .build();
        providers.put(key, provider);
      }
      return provider.getEncodedAuthorization();
    };
  }
}
