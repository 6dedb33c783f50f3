package dev.tollgate.gateway.report;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.gateway.Fixtures;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;

/**
 * A fake GitHub for a gateway configured as a GitHub App: the App and its installation,
 * installation tokens minted at {@code POST /app/installations/{id}/access_tokens}; the tests stub
 * the check-run endpoints. The App's key is made for the run; the decisions and run events are
 * trusted under the other test key (signing/other-events.pub.pem).
 */
public final class GitHubAppStub implements QuarkusTestResourceLifecycleManager {

  static final long APP_ID = 1047;
  static final long INSTALLATION_ID = 2311213;
  static final String INSTALLATION_TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

  private static WireMockServer server;

  static WireMockServer server() {
    return server;
  }

  @Override
  public Map<String, String> start() {
    server = new WireMockServer(wireMockConfig().dynamicPort());
    server.start();
    String pem;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      pem =
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder()
                  .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    server.stubFor(
        get(urlPathEqualTo("/app"))
            .willReturn(
                GitHubChecksStubs.json(
                    200,
                    "{\"id\":"
                        + APP_ID
                        + ",\"slug\":\"tollgate\",\"node_id\":\"MDExOkludGVncmF0aW9uMQ==\","
                        + "\"owner\":{\"login\":\"octo-org\",\"id\":6811672,"
                        + "\"type\":\"Organization\",\"site_admin\":false},"
                        + "\"name\":\"Tollgate\",\"description\":\"\","
                        + "\"external_url\":\"https://tollgate.example\","
                        + "\"html_url\":\"https://github.com/apps/tollgate\","
                        + "\"created_at\":\"2017-07-08T16:18:44-04:00\","
                        + "\"updated_at\":\"2017-07-08T16:18:44-04:00\","
                        + "\"permissions\":{\"checks\":\"write\",\"metadata\":\"read\"},"
                        + "\"events\":[\"push\",\"merge_group\"],\"installations_count\":1}")));
    server.stubFor(
        get(urlPathEqualTo("/app/installations/" + INSTALLATION_ID))
            .willReturn(
                GitHubChecksStubs.json(
                    200,
                    "{\"id\":"
                        + INSTALLATION_ID
                        + ",\"account\":{\"login\":\"octo-org\",\"id\":6811672,"
                        + "\"type\":\"Organization\",\"site_admin\":false},"
                        + "\"access_tokens_url\":\""
                        + server.baseUrl()
                        + "/app/installations/"
                        + INSTALLATION_ID
                        + "/access_tokens\",\"app_id\":"
                        + APP_ID
                        + ",\"app_slug\":\"tollgate\",\"target_id\":6811672,"
                        + "\"target_type\":\"Organization\",\"permissions\":{\"checks\":\"write\","
                        + "\"metadata\":\"read\"},\"events\":[\"push\",\"merge_group\"],"
                        + "\"repository_selection\":\"all\","
                        + "\"created_at\":\"2017-07-08T16:18:44-04:00\","
                        + "\"updated_at\":\"2017-07-08T16:18:44-04:00\"}")));
    server.stubFor(
        post(urlPathEqualTo("/app/installations/" + INSTALLATION_ID + "/access_tokens"))
            .willReturn(
                GitHubChecksStubs.json(
                    201,
                    "{\"token\":\""
                        + INSTALLATION_TOKEN
                        + "\",\"expires_at\":\""
                        + Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
                        + "\",\"permissions\":{\"checks\":\"write\",\"metadata\":\"read\"},"
                        + "\"repository_selection\":\"all\"}")));
    String trusted = Fixtures.testResource(Fixtures.OTHER_PUBLIC_KEY).toAbsolutePath().toString();
    return Map.of(
        "tollgate.github.api-url",
        server.baseUrl(),
        "tollgate.github.app-id",
        Long.toString(APP_ID),
        "tollgate.github.app-private-key",
        pem,
        "tollgate.gateway.checks.enabled",
        "true",
        "tollgate.gateway.checks.backoff",
        "50ms",
        "tollgate.gateway.checks.max-backoff",
        "500ms",
        "tollgate.trust.verifier-keys",
        trusted,
        "tollgate.trust.run-watch-keys",
        trusted,
        "tollgate.trust.ledger-keys",
        Fixtures.testResource(LedgerRecordFixtures.LEDGER_PUBLIC_KEY).toAbsolutePath().toString(),
        // Long enough that a report GitHub keeps failing is still retrying when a test restarts.
        "tollgate.gateway.checks.max-attempts",
        "200");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }
}
