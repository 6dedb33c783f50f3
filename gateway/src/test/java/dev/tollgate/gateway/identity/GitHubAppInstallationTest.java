package dev.tollgate.gateway.identity;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.schemas.event.TriggerEvent.Permission;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GitHub App path end to end against a fake GitHub API: the App's private key signs a JWT, the
 * JWT mints an installation access token ({@code POST /app/installations/{id}/access_tokens}), and
 * only that token reads the sender's permission. The installation comes from the delivery, or when
 * the delivery names none, from {@code GET /repos/{owner}/{repo}/installation}. Response bodies are
 * shaped as GitHub documents them for these endpoints.
 */
class GitHubAppInstallationTest {

  private static final long APP_ID = 1047;
  private static final long INSTALLATION_ID = 4242;
  private static final String INSTALLATION_TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
  private static final String REPOSITORY = GitHubApiStubs.REPOSITORY;

  private WireMockServer github;
  private KeyPair appKey;
  private GitHubApi api;

  @BeforeEach
  void start() throws Exception {
    github = new WireMockServer(wireMockConfig().dynamicPort());
    github.start();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    appKey = generator.generateKeyPair();
    GitHubCredentials credentials =
        new GitHubCredentials(
            URI.create(github.baseUrl()), null, APP_ID, appKey.getPrivate(), Clock.systemUTC());
    api =
        new GitHubApi(
            credentials,
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            100,
            new SimpleMeterRegistry());

    github.stubFor(get(urlPathEqualTo("/app")).willReturn(GitHubApiStubs.json(200, app())));
    github.stubFor(
        get(urlPathEqualTo("/app/installations/" + INSTALLATION_ID))
            .willReturn(GitHubApiStubs.json(200, installation())));
    github.stubFor(
        get(urlPathEqualTo("/repos/" + REPOSITORY + "/installation"))
            .willReturn(GitHubApiStubs.json(200, installation())));
    github.stubFor(
        post(urlPathEqualTo("/app/installations/" + INSTALLATION_ID + "/access_tokens"))
            .willReturn(GitHubApiStubs.json(201, accessToken())));
    GitHubApiStubs.repository(github);
    // Only the installation token may read permissions: any other credential gets GitHub's 404.
    github.stubFor(
        get(urlPathEqualTo("/repos/" + REPOSITORY + "/collaborators/Codertocat/permission"))
            .atPriority(10)
            .willReturn(
                GitHubApiStubs.json(
                    404,
                    "{\"message\":\"Not Found\",\"documentation_url\":"
                        + "\"https://docs.github.com/rest\",\"status\":\"404\"}")));
    github.stubFor(
        get(urlPathEqualTo("/repos/" + REPOSITORY + "/collaborators/Codertocat/permission"))
            .withHeader("Authorization", equalTo("token " + INSTALLATION_TOKEN))
            .atPriority(1)
            .willReturn(
                GitHubApiStubs.json(
                    200,
                    "{\"permission\":\"write\",\"role_name\":\"write\",\"user\":{\"login\":"
                        + "\"Codertocat\",\"id\":21031067,\"type\":\"User\",\"site_admin\":false}}")));
  }

  @AfterEach
  void stop() {
    github.stop();
  }

  @Test
  void permission_appWithInstallationFromDelivery_mintsInstallationTokenAndReadsWithIt()
      throws Exception {
    Permission permission = api.permission(REPOSITORY, "Codertocat", INSTALLATION_ID);

    assertThat(permission).isEqualTo(Permission.WRITE);
    List<LoggedRequest> minted =
        github.findAll(
            postRequestedFor(
                urlPathEqualTo("/app/installations/" + INSTALLATION_ID + "/access_tokens")));
    assertThat(minted).hasSize(1);
    assertAppJwt(minted.get(0).getHeader("Authorization"));
    github.verify(
        getRequestedFor(
                urlPathEqualTo("/repos/" + REPOSITORY + "/collaborators/Codertocat/permission"))
            .withHeader("Authorization", equalTo("token " + INSTALLATION_TOKEN)));
  }

  @Test
  void permission_appWithoutInstallationInDelivery_findsItThroughTheRepository() throws Exception {
    Permission permission = api.permission(REPOSITORY, "Codertocat", null);

    assertThat(permission).isEqualTo(Permission.WRITE);
    List<LoggedRequest> lookedUp =
        github.findAll(getRequestedFor(urlPathEqualTo("/repos/" + REPOSITORY + "/installation")));
    assertThat(lookedUp).hasSize(1);
    assertAppJwt(lookedUp.get(0).getHeader("Authorization"));
    github.verify(
        1,
        postRequestedFor(
            urlPathEqualTo("/app/installations/" + INSTALLATION_ID + "/access_tokens")));
  }

  @Test
  void permission_secondSenderSameInstallation_reusesTheToken() throws Exception {
    github.stubFor(
        get(urlPathEqualTo("/repos/" + REPOSITORY + "/collaborators/octocat/permission"))
            .withHeader("Authorization", equalTo("token " + INSTALLATION_TOKEN))
            .willReturn(
                GitHubApiStubs.json(
                    200,
                    "{\"permission\":\"read\",\"role_name\":\"read\",\"user\":{\"login\":"
                        + "\"octocat\",\"id\":1,\"type\":\"User\",\"site_admin\":false}}")));

    assertThat(api.permission(REPOSITORY, "Codertocat", INSTALLATION_ID))
        .isEqualTo(Permission.WRITE);
    assertThat(api.permission(REPOSITORY, "octocat", INSTALLATION_ID)).isEqualTo(Permission.READ);

    github.verify(
        1,
        postRequestedFor(
            urlPathEqualTo("/app/installations/" + INSTALLATION_ID + "/access_tokens")));
  }

  @Test
  void permission_installationTokenRefused_isUnavailableWithoutKeyOrToken() {
    github.stubFor(
        post(urlPathEqualTo("/app/installations/" + INSTALLATION_ID + "/access_tokens"))
            .willReturn(
                GitHubApiStubs.json(
                    401,
                    "{\"message\":\"A JSON web token could not be decoded\","
                        + "\"documentation_url\":\"https://docs.github.com/rest\","
                        + "\"status\":\"401\"}")));

    IdentityUnavailableException e =
        catchThrowableOfType(
            IdentityUnavailableException.class,
            () -> api.permission(REPOSITORY, "Codertocat", INSTALLATION_ID));

    assertThat(e.reason()).isEqualTo(IdentityUnavailableException.UNAUTHORIZED);
    assertThat(e.getMessage()).doesNotContain("Bearer", "eyJ", "PRIVATE KEY");
    github.verify(
        0,
        getRequestedFor(
            urlPathEqualTo("/repos/" + REPOSITORY + "/collaborators/Codertocat/permission")));
  }

  /** The App's JWT: RS256 under the App's key, issued by the App id, short-lived, backdated. */
  private void assertAppJwt(String authorization) throws Exception {
    assertThat(authorization).startsWith("Bearer ");
    JwtConsumer consumer =
        new JwtConsumerBuilder()
            .setVerificationKey(appKey.getPublic())
            .setJwsAlgorithmConstraints(
                AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
            .setExpectedIssuer(Long.toString(APP_ID))
            .setRequireExpirationTime()
            .setRequireIssuedAt()
            .build();
    JwtClaims claims = consumer.processToClaims(authorization.substring("Bearer ".length()));
    long lifetime = claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue();
    assertThat(lifetime)
        .as("GitHub accepts App JWTs of at most 10 minutes")
        .isLessThanOrEqualTo(600);
  }

  private String app() {
    return "{\"id\":"
        + APP_ID
        + ",\"slug\":\"tollgate\",\"client_id\":\"Iv1.8a61f9b3a7aba766\","
        + "\"node_id\":\"MDExOkludGVncmF0aW9uMQ==\",\"owner\":{\"login\":\"octo-org\",\"id\":2,"
        + "\"node_id\":\"MDEyOk9yZ2FuaXphdGlvbjI=\",\"type\":\"Organization\","
        + "\"site_admin\":false},\"name\":\"Tollgate\",\"description\":\"\","
        + "\"external_url\":\"https://tollgate.example\","
        + "\"html_url\":\"https://github.com/apps/tollgate\","
        + "\"created_at\":\"2017-07-08T16:18:44-04:00\","
        + "\"updated_at\":\"2017-07-08T16:18:44-04:00\","
        + "\"permissions\":{\"metadata\":\"read\",\"contents\":\"read\",\"pull_requests\":\"read\"},"
        + "\"events\":[\"push\",\"pull_request\",\"issue_comment\"],\"installations_count\":1}";
  }

  private String installation() {
    return "{\"id\":"
        + INSTALLATION_ID
        + ",\"account\":{\"login\":\"Codertocat\",\"id\":21031067,"
        + "\"node_id\":\"MDQ6VXNlcjIxMDMxMDY3\",\"gravatar_id\":\"\","
        + "\"url\":\"https://api.github.com/users/Codertocat\","
        + "\"html_url\":\"https://github.com/Codertocat\",\"type\":\"User\",\"site_admin\":false},"
        + "\"access_tokens_url\":\""
        + github.baseUrl()
        + "/app/installations/"
        + INSTALLATION_ID
        + "/access_tokens\",\"repositories_url\":\""
        + github.baseUrl()
        + "/installation/repositories\","
        + "\"html_url\":\"https://github.com/settings/installations/"
        + INSTALLATION_ID
        + "\",\"app_id\":"
        + APP_ID
        + ",\"app_slug\":\"tollgate\",\"target_id\":21031067,\"target_type\":\"User\","
        + "\"permissions\":{\"metadata\":\"read\",\"contents\":\"read\",\"pull_requests\":\"read\"},"
        + "\"events\":[\"push\",\"pull_request\",\"issue_comment\"],"
        + "\"single_file_name\":null,\"has_multiple_single_files\":false,"
        + "\"single_file_paths\":[],\"repository_selection\":\"all\","
        + "\"created_at\":\"2017-07-08T16:18:44-04:00\","
        + "\"updated_at\":\"2017-07-08T16:18:44-04:00\","
        + "\"suspended_at\":null,\"suspended_by\":null}";
  }

  private static String accessToken() {
    return "{\"token\":\""
        + INSTALLATION_TOKEN
        + "\",\"expires_at\":\""
        + Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
        + "\",\"permissions\":{\"metadata\":\"read\",\"contents\":\"read\","
        + "\"pull_requests\":\"read\"},\"repository_selection\":\"all\"}";
  }
}
