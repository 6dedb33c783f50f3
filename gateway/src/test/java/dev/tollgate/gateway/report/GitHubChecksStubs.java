package dev.tollgate.gateway.report;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;

/**
 * GitHub's answers for the check-run and status endpoints, shaped as the REST reference documents
 * them ("Check runs": the check run object and the list for a ref; "Commit statuses": the status
 * object; "Rate limits for the REST API": the primary and secondary limit answers).
 */
final class GitHubChecksStubs {

  static final String REPOSITORY = "octo-org/hello-world";
  static final String SHA = "b3a9e1f7c2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1";
  static final String TRIGGER = "github:0b1c2d3e-6b8e-11ef-8a8e-1e2d3c4b5a69";

  private GitHubChecksStubs() {}

  /** A check run object. */
  static String checkRun(
      long id, String name, String externalId, String status, String conclusion, String title) {
    return "{\"id\":"
        + id
        + ",\"head_sha\":\""
        + SHA
        + "\",\"node_id\":\"MDg6Q2hlY2tSdW40\",\"external_id\":\""
        + externalId
        + "\",\"url\":\"https://api.github.com/repos/"
        + REPOSITORY
        + "/check-runs/"
        + id
        + "\",\"html_url\":\"https://github.com/"
        + REPOSITORY
        + "/runs/"
        + id
        + "\",\"details_url\":\"https://example.com\",\"status\":\""
        + status
        + "\",\"conclusion\":"
        + (conclusion == null ? "null" : "\"" + conclusion + "\"")
        + ",\"started_at\":\"2026-11-22T09:14:04Z\",\"completed_at\":"
        + (conclusion == null ? "null" : "\"2026-11-22T09:14:09Z\"")
        + ",\"output\":{\"title\":"
        + (title == null ? "null" : "\"" + title + "\"")
        + ",\"summary\":\"There are 0 failures.\",\"text\":\"\",\"annotations_count\":0,"
        + "\"annotations_url\":\"https://api.github.com/repos/"
        + REPOSITORY
        + "/check-runs/"
        + id
        + "/annotations\"},\"name\":\""
        + name
        + "\",\"check_suite\":{\"id\":5},\"app\":{\"id\":1047,\"slug\":\"tollgate\","
        + "\"node_id\":\"MDExOkludGVncmF0aW9uMQ==\",\"name\":\"Tollgate\"},"
        + "\"pull_requests\":[]}";
  }

  /** The list of a ref's check runs. */
  static String checkRuns(String... runs) {
    return "{\"total_count\":" + runs.length + ",\"check_runs\":[" + String.join(",", runs) + "]}";
  }

  /** A commit status object, created at {@code createdAt}. */
  static String status(String state, String description, String createdAt) {
    return "{\"url\":\"https://api.github.com/repos/"
        + REPOSITORY
        + "/statuses/"
        + SHA
        + "\",\"avatar_url\":\"https://github.com/images/error/hubot_happy.gif\",\"id\":1,"
        + "\"node_id\":\"MDY6U3RhdHVzMQ==\",\"state\":\""
        + state
        + "\",\"description\":\""
        + description
        + "\",\"target_url\":null,\"context\":\"tollgate\","
        + "\"created_at\":\""
        + createdAt
        + "\",\"updated_at\":\""
        + createdAt
        + "\"}";
  }

  static ResponseDefinitionBuilder json(int status, String body) {
    return WireMock.aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader("x-ratelimit-limit", "5000")
        .withHeader("x-ratelimit-remaining", "4999")
        .withHeader("x-ratelimit-used", "1")
        .withHeader("x-ratelimit-resource", "core")
        .withBody(body);
  }

  /** The primary limit spent: 403, remaining 0, reset at {@code resetEpochSecond}. */
  static ResponseDefinitionBuilder rateLimitSpent(long resetEpochSecond) {
    return WireMock.aResponse()
        .withStatus(403)
        .withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader("x-ratelimit-limit", "5000")
        .withHeader("x-ratelimit-remaining", "0")
        .withHeader("x-ratelimit-used", "5000")
        .withHeader("x-ratelimit-reset", Long.toString(resetEpochSecond))
        .withHeader("x-ratelimit-resource", "core")
        .withBody(
            "{\"message\":\"API rate limit exceeded for installation ID 4242.\","
                + "\"documentation_url\":\"https://docs.github.com/rest/overview/"
                + "rate-limits-for-the-rest-api\",\"status\":\"403\"}");
  }

  /** A secondary limit: {@code status} with GitHub's message, and retry-after when given. */
  static ResponseDefinitionBuilder secondaryLimit(int status, Integer retryAfter) {
    ResponseDefinitionBuilder answer =
        WireMock.aResponse()
            .withStatus(status)
            .withHeader("Content-Type", "application/json; charset=utf-8")
            .withHeader("x-ratelimit-limit", "5000")
            .withHeader("x-ratelimit-remaining", "4990")
            .withBody(
                "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few"
                    + " minutes before you try again. If you reach out to GitHub Support for"
                    + " help, please include the request ID 1234:5678.\","
                    + "\"documentation_url\":\"https://docs.github.com/free-pro-team@latest/rest/"
                    + "overview/rate-limits-for-the-rest-api#about-secondary-rate-limits\","
                    + "\"status\":\""
                    + status
                    + "\"}");
    return retryAfter == null ? answer : answer.withHeader("retry-after", retryAfter.toString());
  }
}
