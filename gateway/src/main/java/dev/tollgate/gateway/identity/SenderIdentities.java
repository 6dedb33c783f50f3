package dev.tollgate.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Who is behind a pull request, push or comment: the sender, GitHub's {@code author_association},
 * whether the head comes from a fork, and the sender's permission on the repository from the GitHub
 * API. When the API cannot answer, the trigger is still emitted, its identity marked unverified
 * with the reason, so nothing is lost and the verifier can deny it.
 *
 * <p>An {@code /ok-to-test} comment on a pull request by a sender with write permission or more
 * becomes an approval bound to the commit the maintainer reviewed, never to whatever the head is
 * when the gateway gets to the comment (a late delivery, a redelivery, the other replica). The
 * comment payload carries no head, so the head comes from the API, and it binds only when it is
 * provably the reviewed one:
 *
 * <ul>
 *   <li>{@code /ok-to-test <sha>} (7 to 64 hex characters, preferred): the head must be the commit
 *       named; if the head moved past it, the approval is refused ({@code HEAD_NOT_REQUESTED_SHA}).
 *   <li>a bare {@code /ok-to-test}: the pull request must not have changed after the comment was
 *       written. Both times are GitHub's own: the comment's {@code created_at} and the pull
 *       request's {@code updated_at}, which a push to the head moves. Commit dates are not used:
 *       the author of a commit writes them and can date a later push before the comment. A pull
 *       request updated later than the comment (plus {@code ok-to-test-update-tolerance} for the
 *       update the comment itself causes) is refused ({@code HEAD_UPDATED_AFTER_COMMENT}), even if
 *       what changed was only a label or another comment: failing closed costs the maintainer one
 *       {@code /ok-to-test <sha>}.
 * </ul>
 *
 * A refused approval is still emitted, carrying why, so the verifier decides it (denied, with the
 * remedy) and the pull request shows it. A later push has another SHA and is not covered.
 */
@Singleton
public class SenderIdentities {

  private static final Logger LOG = Logger.getLogger(SenderIdentities.class);

  /** The events whose senders are identified. */
  public static final Set<String> EVENTS = Set.of("pull_request", "push", "issue_comment");

  private final GitHubApi api;
  private final String okToTestPhrase;
  private final Duration updateTolerance;
  private final MeterRegistry meters;
  private static final Pattern ASSOCIATION = Pattern.compile("[A-Z_]{1,40}");
  private static final Pattern REQUESTED_SHA = Pattern.compile("[0-9a-fA-F]{7,64}");

  /** The default of {@code tollgate.gateway.identity.ok-to-test-update-tolerance}. */
  public static final Duration DEFAULT_UPDATE_TOLERANCE = Duration.ofSeconds(2);

  /**
   * An {@code /ok-to-test} comment.
   *
   * @param requestedSha the commit it names, lowercase, or null for a bare one
   * @param createdAt when GitHub says it was written, or null when the payload does not say
   */
  record OkToTest(long commentId, String requestedSha, Instant createdAt) {}

  private record CounterKey(String outcome, String detail) {}

  // Counters by outcome and detail (a few reason codes and permissions), registered once: a
  // registry lookup per delivery is measurable at thousands a second.
  private final ConcurrentMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

  @Inject
  public SenderIdentities(GitHubApi api, GatewayConfig config, MeterRegistry meters) {
    this(
        api,
        config.identity().okToTestPhrase(),
        config.identity().okToTestUpdateTolerance(),
        meters);
  }

  /** With an explicit phrase and the default update tolerance, for tests and tools. */
  public SenderIdentities(GitHubApi api, String okToTestPhrase, MeterRegistry meters) {
    this(api, okToTestPhrase, DEFAULT_UPDATE_TOLERANCE, meters);
  }

  /** With an explicit phrase and update tolerance, for tests and tools. */
  public SenderIdentities(
      GitHubApi api, String okToTestPhrase, Duration updateTolerance, MeterRegistry meters) {
    if (okToTestPhrase == null || okToTestPhrase.isBlank()) {
      throw new IllegalArgumentException("tollgate.gateway.identity.ok-to-test-phrase is blank");
    }
    if (updateTolerance == null || updateTolerance.isNegative()) {
      throw new IllegalArgumentException(
          "tollgate.gateway.identity.ok-to-test-update-tolerance is negative");
    }
    this.api = api;
    this.okToTestPhrase = okToTestPhrase.strip();
    this.updateTolerance = updateTolerance;
    this.meters = meters;
  }

  /** Whether {@link #identify} may call the GitHub API, which blocks. */
  public boolean mayCallApi() {
    return api.configured();
  }

  /**
   * The trigger with its identity, and for an approving comment its approval, head SHA and pull
   * request; other events unchanged.
   */
  public TriggerEvent identify(TriggerEvent trigger, JsonNode payload) {
    if (!EVENTS.contains(trigger.event())) {
      return trigger;
    }
    String association = authorAssociation(trigger.event(), payload);
    Boolean fromFork = fromFork(trigger.event(), payload);
    Long installation = trigger.github() == null ? null : trigger.github().installationId();
    // Decided before any call: without an API or a sender, every delivery would otherwise throw
    // and catch an exception, which costs more than the rest of identifying it.
    String unverifiable =
        trigger.sender() == null || trigger.repository() == null
            ? IdentityUnavailableException.NOTHING_TO_LOOK_UP
            : !api.configured() ? IdentityUnavailableException.NOT_CONFIGURED : null;
    TriggerEvent.Permission permission = null;
    if (unverifiable == null) {
      try {
        permission = api.permission(trigger.repository(), trigger.sender().login(), installation);
      } catch (IdentityUnavailableException e) {
        unverifiable = e.reason();
      }
    }
    if (permission == null) {
      count("unverified", unverifiable);
      return with(
          trigger,
          TriggerEvent.Identity.unverified(association, fromFork, unverifiable),
          trigger.pullRequest(),
          null,
          trigger.headSha());
    }
    count("verified", permission.wire());
    TriggerEvent.Identity identity =
        TriggerEvent.Identity.verified(association, fromFork, permission);
    OkToTest okToTest = okToTestComment(trigger, payload);
    if (okToTest == null) {
      return with(trigger, identity, trigger.pullRequest(), null, trigger.headSha());
    }
    if (!permission.canWrite()) {
      count("ok_to_test", "insufficient_permission");
      LOG.infof(
          "delivery=%s repository=%s sender=%s ok-to-test ignored: permission %s is below write",
          trigger.github().deliveryId(),
          trigger.repository(),
          trigger.sender().login(),
          permission.wire());
      return with(trigger, identity, trigger.pullRequest(), null, trigger.headSha());
    }
    PullRequestHead head;
    try {
      head =
          api.pullRequestHead(trigger.repository(), trigger.pullRequest().number(), installation);
    } catch (IdentityUnavailableException e) {
      count("ok_to_test", "head_unavailable");
      return with(
          trigger,
          TriggerEvent.Identity.unverified(association, null, "PULL_REQUEST_HEAD_UNAVAILABLE"),
          trigger.pullRequest(),
          null,
          trigger.headSha());
    }
    String refused = refusal(okToTest, head);
    if (refused == null) {
      count("ok_to_test", okToTest.requestedSha() == null ? "approved" : "approved_sha");
    } else {
      count("ok_to_test", refused.toLowerCase(Locale.ROOT));
      LOG.infof(
          "delivery=%s repository=%s pull_request=%d ok-to-test refused (%s): comment written"
              + " %s names %s; head %s updated %s",
          trigger.github().deliveryId(),
          trigger.repository(),
          trigger.pullRequest().number(),
          refused,
          okToTest.createdAt(),
          okToTest.requestedSha() == null ? "no commit" : okToTest.requestedSha(),
          head.sha(),
          head.updatedAt());
    }
    return with(
        trigger,
        TriggerEvent.Identity.verified(association, head.fromFork(), permission),
        new TriggerEvent.PullRequest(trigger.pullRequest().number(), head.headRepository()),
        new TriggerEvent.Approval(
            TriggerEvent.Approval.Kind.OK_TO_TEST,
            okToTest.commentId(),
            okToTest.requestedSha(),
            refused),
        head.sha());
  }

  /**
   * Why the approval cannot bind to {@code head}, as a {@link TriggerEvent.Approval} refusal code,
   * or null when it binds.
   */
  String refusal(OkToTest okToTest, PullRequestHead head) {
    if (okToTest.requestedSha() != null) {
      return head.sha().startsWith(okToTest.requestedSha())
          ? null
          : TriggerEvent.Approval.HEAD_NOT_REQUESTED_SHA;
    }
    if (okToTest.createdAt() == null) {
      return TriggerEvent.Approval.COMMENT_TIME_UNKNOWN;
    }
    if (head.updatedAt() == null) {
      return TriggerEvent.Approval.HEAD_TIME_UNKNOWN;
    }
    if (head.updatedAt().isAfter(okToTest.createdAt().plus(updateTolerance))) {
      return TriggerEvent.Approval.HEAD_UPDATED_AFTER_COMMENT;
    }
    return null;
  }

  /**
   * The comment when the trigger is an ok-to-test comment on a pull request, else null: a line that
   * is the phrase alone, or the phrase and one commit SHA (7 to 64 hex characters). Anything else
   * on the line (words, two SHAs, a branch name) makes it no approval.
   */
  OkToTest okToTestComment(TriggerEvent trigger, JsonNode payload) {
    if (!"issue_comment".equals(trigger.event())
        || !"created".equals(trigger.action())
        || trigger.pullRequest() == null) {
      return null;
    }
    JsonNode comment = payload.get("comment");
    if (comment == null || !comment.isObject()) {
      return null;
    }
    JsonNode body = comment.get("body");
    JsonNode id = comment.get("id");
    if (body == null || !body.isTextual() || id == null || !id.canConvertToLong()) {
      return null;
    }
    Instant createdAt = instant(comment.get("created_at"));
    for (String line : body.textValue().split("\\R", -1)) {
      String stripped = line.strip();
      if (stripped.equals(okToTestPhrase)) {
        return new OkToTest(id.longValue(), null, createdAt);
      }
      if (stripped.startsWith(okToTestPhrase)
          && stripped.length() > okToTestPhrase.length()
          && Character.isWhitespace(stripped.charAt(okToTestPhrase.length()))) {
        String sha = stripped.substring(okToTestPhrase.length()).strip();
        if (REQUESTED_SHA.matcher(sha).matches()) {
          return new OkToTest(id.longValue(), sha.toLowerCase(Locale.ROOT), createdAt);
        }
      }
    }
    return null;
  }

  /** An ISO-8601 time GitHub wrote, or null when absent or unreadable. */
  private static Instant instant(JsonNode value) {
    if (value == null || !value.isTextual()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.textValue()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The author_association of the pull request or comment; none for a push. */
  static String authorAssociation(String event, JsonNode payload) {
    JsonNode holder;
    if ("pull_request".equals(event)) {
      holder = payload.get("pull_request");
    } else if ("issue_comment".equals(event)) {
      holder = payload.get("comment");
    } else {
      return null;
    }
    JsonNode value = holder == null ? null : holder.get("author_association");
    if (value == null || !value.isTextual() || !ASSOCIATION.matcher(value.textValue()).matches()) {
      return null;
    }
    return value.textValue();
  }

  /**
   * Whether the head comes from a fork: for a pull request, its head repository is not its base (or
   * was deleted: fail closed); a push is to the repository itself; a comment does not say.
   */
  static Boolean fromFork(String event, JsonNode payload) {
    if ("push".equals(event)) {
      return false;
    }
    if (!"pull_request".equals(event)) {
      return null;
    }
    JsonNode pr = payload.get("pull_request");
    if (pr == null || !pr.isObject()) {
      return null;
    }
    String head = pr.at("/head/repo/full_name").textValue();
    String base = pr.at("/base/repo/full_name").textValue();
    if (base == null) {
      return null;
    }
    return head == null || !head.equalsIgnoreCase(base);
  }

  private void count(String outcome, String detail) {
    counters
        .computeIfAbsent(
            new CounterKey(outcome, detail),
            key ->
                meters.counter("tollgate.gateway.identities", "outcome", outcome, "detail", detail))
        .increment();
  }

  private static TriggerEvent with(
      TriggerEvent t,
      TriggerEvent.Identity identity,
      TriggerEvent.PullRequest pullRequest,
      TriggerEvent.Approval approval,
      String headSha) {
    return new TriggerEvent(
        t.triggerId(),
        t.source(),
        t.receivedAt(),
        t.event(),
        t.action(),
        t.repository(),
        t.ref(),
        t.before(),
        t.after(),
        headSha,
        t.sender(),
        t.github(),
        t.payloadDigest(),
        t.payloadSize(),
        t.payload(),
        t.payloadTruncated(),
        identity,
        pullRequest,
        approval,
        t.schedule(),
        t.caller(),
        t.parameters());
  }
}
