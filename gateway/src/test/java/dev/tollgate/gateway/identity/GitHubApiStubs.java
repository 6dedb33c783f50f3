package dev.tollgate.gateway.identity;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.json.Json;

/**
 * A fake GitHub REST API whose answers have the real shapes: the repository and pull request
 * objects are GitHub's own (the REST representation, as embedded in octokit's webhook examples),
 * the permission answer is shaped as GitHub documents for {@code GET
 * /repos/{owner}/{repo}/collaborators/{username}/permission} (permission, role_name, user).
 */
final class GitHubApiStubs {

  static final String REPOSITORY = "Codertocat/Hello-World";

  private GitHubApiStubs() {}

  /** {@code GET /repos/Codertocat/Hello-World}: the repository object from GitHub's example. */
  static void repository(WireMockServer server) throws Exception {
    JsonNode repo =
        Json.readTree(Fixtures.webhook("pull_request_opened.payload.json")).get("repository");
    server.stubFor(
        get(urlPathEqualTo("/repos/" + REPOSITORY)).willReturn(json(200, repo.toString())));
  }

  /** The permission endpoint for {@code login}, answering {@code permission}. */
  static void permission(WireMockServer server, String login, String permission, String role) {
    String body =
        "{\"permission\":\""
            + permission
            + "\",\"role_name\":\""
            + role
            + "\",\"user\":{\"login\":\""
            + login
            + "\",\"id\":21031067,\"node_id\":\"MDQ6VXNlcjIxMDMxMDY3\","
            + "\"avatar_url\":\"https://avatars1.githubusercontent.com/u/21031067?v=4\","
            + "\"gravatar_id\":\"\",\"url\":\"https://api.github.com/users/"
            + login
            + "\",\"html_url\":\"https://github.com/"
            + login
            + "\",\"type\":\"User\",\"site_admin\":false,"
            + "\"permissions\":{\"admin\":"
            + permission.equals("admin")
            + ",\"maintain\":false,\"push\":"
            + (permission.equals("admin") || permission.equals("write"))
            + ",\"triage\":false,\"pull\":"
            + !permission.equals("none")
            + "},\"role_name\":\""
            + role
            + "\"}}";
    server.stubFor(
        get(urlPathEqualTo("/repos/" + REPOSITORY + "/collaborators/" + login + "/permission"))
            .willReturn(json(200, body)));
  }

  /**
   * {@code GET /repos/Codertocat/Hello-World/pulls/2}: GitHub's pull request object, its head moved
   * to {@code headSha} in {@code headRepository}.
   */
  static void pullRequest(WireMockServer server, String headSha, String headRepository)
      throws Exception {
    pullRequest(server, headSha, headRepository, null);
  }

  /**
   * As {@link #pullRequest(WireMockServer, String, String)}, last updated at {@code updatedAt}
   * (GitHub's {@code updated_at}) when given, else at the example's time.
   */
  static void pullRequest(
      WireMockServer server, String headSha, String headRepository, String updatedAt)
      throws Exception {
    ObjectNode pr =
        (ObjectNode)
            Json.readTree(Fixtures.webhook("pull_request_opened.payload.json")).get("pull_request");
    ObjectNode head = (ObjectNode) pr.get("head");
    head.put("sha", headSha);
    ((ObjectNode) head.get("repo")).put("full_name", headRepository);
    ((ObjectNode) head.get("repo")).put("name", headRepository.split("/")[1]);
    if (updatedAt != null) {
      pr.put("updated_at", updatedAt);
    }
    server.stubFor(
        get(urlPathEqualTo("/repos/" + REPOSITORY + "/pulls/2"))
            .willReturn(json(200, pr.toString())));
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(
      int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json; charset=utf-8")
        .withBody(body);
  }
}
