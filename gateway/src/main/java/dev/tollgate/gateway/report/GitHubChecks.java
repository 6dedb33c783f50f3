package dev.tollgate.gateway.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.schemas.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.kohsuke.github.HttpException;

/**
 * Reports on a commit through GitHub's REST API, exactly as GitHub documents it.
 *
 * <p>With a GitHub App: one check run per trigger, named {@code name} and identified by {@code
 * external_id} = the trigger id. Before writing, the commit's check runs of that name are listed
 * ({@code GET /repos/{o}/{r}/commits/{sha}/check-runs?check_name=&filter=all}); the trigger's run
 * is updated in place ({@code PATCH /repos/{o}/{r}/check-runs/{id}}) unless it already shows a
 * later stage, or created ({@code POST /repos/{o}/{r}/check-runs}) when there is none. So a
 * redelivery, a second replica or a retry finds the check that is there instead of adding one.
 *
 * <p>With a token (check runs can only be written by Apps): a commit status of context {@code name}
 * ({@code POST /repos/{o}/{r}/statuses/{sha}}); GitHub keeps the latest per context.
 *
 * <p>These four calls are made directly (not through GHCheckRunBuilder) because the library first
 * fetches the repository for each call and hides the response headers the rate limits are read
 * from; the library still mints the App's installation tokens.
 *
 * <p>Rate limits, as GitHub documents them: a 403 or 429 with {@code x-ratelimit-remaining: 0} is
 * the primary limit, waited out until {@code x-ratelimit-reset}; one with {@code retry-after}, or
 * whose message names a secondary rate limit, is a secondary limit, waited out for {@code
 * retry-after} seconds or else at least a minute.
 */
public class GitHubChecks {

  private final URI api;
  private final String name;
  private final boolean checkRuns;
  private final Authorizer authorizer;
  private final Clock clock;
  private final GitHubReportCalls calls;

  /** What the report did on GitHub. */
  public enum Written {
    /** A check run was created. */
    CREATED,
    /** The trigger's check run was updated in place. */
    UPDATED,
    /** The trigger's check run already shows this stage (accepted) or a later one; left as is. */
    STALE,
    /** A commit status was written. */
    STATUS
  }

  /** The Authorization header for calls about a target. */
  @FunctionalInterface
  public interface Authorizer {
    String authorization(CheckTarget target) throws IOException;
  }

  /**
   * Reports with the configured credentials: check runs with a GitHub App, commit statuses with a
   * token.
   */
  public static GitHubChecks of(
      GitHubCredentials credentials, String name, Duration timeout, Clock clock) {
    if (!credentials.configured()) {
      throw new IllegalStateException("reporting needs a GitHub App or token");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
    Authorizer authorizer =
        credentials.isApp()
            ? InstallationTokens.authorizer(credentials, http)
            : target -> credentials.tokenAuthorization();
    return new GitHubChecks(
        credentials.apiUrl(), name, credentials.isApp(), authorizer, timeout, clock, http);
  }

  /** With explicit parts, for tests: check runs when {@code checkRuns}, else commit statuses. */
  public GitHubChecks(
      URI api,
      String name,
      boolean checkRuns,
      Authorizer authorizer,
      Duration timeout,
      Clock clock,
      HttpClient http) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new IllegalArgumentException("the check's name is 1-100 characters");
    }
    String base = api.toString();
    this.api = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.name = name;
    this.checkRuns = checkRuns;
    this.authorizer = authorizer;
    this.clock = clock;
    this.calls = new GitHubReportCalls(this.api, timeout, clock, http);
  }

  /** Whether reports are check runs (a GitHub App) rather than commit statuses (a token). */
  public boolean checkRuns() {
    return checkRuns;
  }

  /**
   * Shows {@code report} for trigger {@code triggerId} on {@code target}'s commit.
   *
   * @throws ReportFailedException when GitHub did not take it; {@link
   *     ReportFailedException#retryable()} says whether a later attempt can
   */
  public Written report(CheckTarget target, String triggerId, CheckReport report)
      throws ReportFailedException {
    return report(target, triggerId, report, true);
  }

  /**
   * Like {@link #report(CheckTarget, String, CheckReport)}; when {@code mayCreate} is false and the
   * trigger has no check run yet, fails retryably instead of creating one (the replica that handles
   * the trigger's acceptance is creating it).
   */
  public Written report(CheckTarget target, String triggerId, CheckReport report, boolean mayCreate)
      throws ReportFailedException {
    String authorization;
    try {
      authorization = authorizer.authorization(target);
    } catch (HttpException e) {
      throw calls.failure(e.getResponseCode(), e.getResponseHeaderFields(), e.getMessage());
    } catch (IOException e) {
      throw new ReportFailedException(
          ReportFailedException.UNAVAILABLE,
          true,
          null,
          "no installation token for " + target.repository() + ": " + e.getClass().getSimpleName());
    }
    if (!checkRuns) {
      // A status has no identity of its trigger: the latest per context is shown. One of a later
      // stage written since this report's event happened is newer news; it is not overwritten.
      if (report.stage() != CheckReport.Stage.RUN_ENDED) {
        Optional<JsonNode> shown = latestStatus(authorization, target);
        if (shown.isPresent()) {
          CheckReport.Stage stage =
              CheckReports.stageOfStatus(
                  shown.get().path("state").asText(), shown.get().path("description").asText());
          Instant written = instant(shown.get().path("created_at").asText(""));
          if (stage.compareTo(report.stage()) > 0
              && written != null
              && !written.isBefore(report.asOf())) {
            return Written.STALE;
          }
        }
      }
      ObjectNode status = Json.mapper().createObjectNode();
      status.put("state", report.commitState());
      status.put("description", CheckReports.description(report));
      status.put("context", name);
      calls.send(
          authorization,
          "POST",
          "/repos/" + target.repository() + "/statuses/" + target.headSha(),
          status);
      return Written.STATUS;
    }
    Optional<JsonNode> existing = find(authorization, target, triggerId);
    if (existing.isPresent()) {
      JsonNode run = existing.get();
      CheckReport.Stage shown =
          CheckReports.stageOf(
              run.path("status").asText(), run.path("output").path("title").asText());
      if (shown.compareTo(report.stage()) > 0
          || (shown == report.stage() && shown == CheckReport.Stage.ACCEPTED)) {
        return Written.STALE;
      }
      if (!run.path("id").canConvertToLong()) {
        throw GitHubReportCalls.unreadable("a check run without an id");
      }
      calls.send(
          authorization,
          "PATCH",
          "/repos/" + target.repository() + "/check-runs/" + run.path("id").longValue(),
          body(report, null, null));
      return Written.UPDATED;
    }
    if (!mayCreate) {
      throw new ReportFailedException(
          ReportFailedException.UNAVAILABLE,
          true,
          null,
          "the check run of " + triggerId + " is not there yet");
    }
    calls.send(
        authorization,
        "POST",
        "/repos/" + target.repository() + "/check-runs",
        body(report, target.headSha(), triggerId));
    return Written.CREATED;
  }

  /** The newest status of this context on the commit ({@code GET .../commits/{sha}/statuses}). */
  private Optional<JsonNode> latestStatus(String authorization, CheckTarget target)
      throws ReportFailedException {
    JsonNode statuses =
        calls.send(
            authorization,
            "GET",
            "/repos/"
                + target.repository()
                + "/commits/"
                + target.headSha()
                + "/statuses?per_page=100",
            null);
    if (!statuses.isArray()) {
      throw GitHubReportCalls.unreadable("the statuses are not an array");
    }
    // GitHub lists them newest first.
    for (JsonNode status : statuses) {
      if (name.equals(status.path("context").asText(null))) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private Optional<JsonNode> find(String authorization, CheckTarget target, String triggerId)
      throws ReportFailedException {
    String path =
        "/repos/"
            + target.repository()
            + "/commits/"
            + target.headSha()
            + "/check-runs?check_name="
            + URLEncoder.encode(name, StandardCharsets.UTF_8)
            + "&filter=all&per_page=100";
    JsonNode answer = calls.send(authorization, "GET", path, null);
    JsonNode runs = answer.path("check_runs");
    if (!runs.isArray()) {
      throw GitHubReportCalls.unreadable("no check_runs array");
    }
    for (JsonNode run : runs) {
      if (triggerId.equals(run.path("external_id").asText(null))
          && name.equals(run.path("name").asText(null))) {
        return Optional.of(run);
      }
    }
    return Optional.empty();
  }

  private ObjectNode body(CheckReport report, String headSha, String triggerId) {
    ObjectNode body = Json.mapper().createObjectNode();
    if (headSha != null) {
      body.put("name", name);
      body.put("head_sha", headSha);
      body.put("external_id", triggerId);
    }
    body.put("status", report.status().wire());
    Instant now = clock.instant();
    if (report.conclusion() != null) {
      body.put("conclusion", report.conclusion().wire());
      body.put("completed_at", now.toString());
    }
    ObjectNode output = body.putObject("output");
    output.put("title", report.title());
    output.put("summary", report.summary());
    output.put("text", report.text());
    return body;
  }

  @Override
  public String toString() {
    return "GitHubChecks["
        + api
        + ", "
        + name
        + ", "
        + (checkRuns ? "check runs" : "statuses")
        + "]";
  }
}
