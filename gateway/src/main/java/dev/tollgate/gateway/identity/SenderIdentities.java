package dev.tollgate.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
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
 * becomes an approval bound to the pull request's head SHA as the API reports it at that moment;
 * the comment payload does not carry it. A later push has another SHA and is not covered.
 */
@Singleton
public class SenderIdentities {

  private static final Logger LOG = Logger.getLogger(SenderIdentities.class);

  /** The events whose senders are identified. */
  public static final Set<String> EVENTS = Set.of("pull_request", "push", "issue_comment");

  private final GitHubApi api;
  private final String okToTestPhrase;
  private final MeterRegistry meters;
  private static final Pattern ASSOCIATION = Pattern.compile("[A-Z_]{1,40}");

  private record CounterKey(String outcome, String detail) {}

  // Counters by outcome and detail (a few reason codes and permissions), registered once: a
  // registry lookup per delivery is measurable at thousands a second.
  private final ConcurrentMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

  @Inject
  public SenderIdentities(GitHubApi api, GatewayConfig config, MeterRegistry meters) {
    this(api, config.identity().okToTestPhrase(), meters);
  }

  /** With an explicit phrase, for tests and tools. */
  public SenderIdentities(GitHubApi api, String okToTestPhrase, MeterRegistry meters) {
    if (okToTestPhrase == null || okToTestPhrase.isBlank()) {
      throw new IllegalArgumentException("tollgate.gateway.identity.ok-to-test-phrase is blank");
    }
    this.api = api;
    this.okToTestPhrase = okToTestPhrase.strip();
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
    Long commentId = okToTestComment(trigger, payload);
    if (commentId == null) {
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
    count("ok_to_test", "approved");
    return with(
        trigger,
        TriggerEvent.Identity.verified(association, head.fromFork(), permission),
        new TriggerEvent.PullRequest(trigger.pullRequest().number(), head.headRepository()),
        new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, commentId),
        head.sha());
  }

  /** The comment's id when the trigger is an ok-to-test comment on a pull request, else null. */
  Long okToTestComment(TriggerEvent trigger, JsonNode payload) {
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
    for (String line : body.textValue().split("\\R", -1)) {
      if (line.strip().equals(okToTestPhrase)) {
        return id.longValue();
      }
    }
    return null;
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
