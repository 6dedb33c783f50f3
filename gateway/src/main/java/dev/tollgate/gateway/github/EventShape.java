package dev.tollgate.gateway.github;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the body of each GitHub event must hold, after GitHub's webhook reference. GitHub signs the
 * body but not {@code X-GitHub-Event}: without this, a captured signed {@code issue_comment} body
 * re-sent as {@code push} would be read as a push. Each event names the top-level fields only it
 * has (or that tell it from its neighbours, such as {@code issues} from {@code issue_comment}), so
 * a body fits one event and is refused as any other with PAYLOAD_EVENT_MISMATCH.
 *
 * <p>An event with no shape here is not emitted at all (answered like an ignored event): the
 * gateway cannot vouch that its body is what the header says.
 */
public enum EventShape {
  PUSH(
      "push",
      List.of(text("ref"), text("before"), text("after"), array("commits"), object("pusher")),
      List.of()),
  PULL_REQUEST(
      "pull_request",
      List.of(text("action"), number("number"), object("pull_request")),
      List.of("review", "comment", "thread")),
  ISSUE_COMMENT(
      "issue_comment", List.of(text("action"), object("issue"), object("comment")), List.of()),
  ISSUES("issues", List.of(text("action"), object("issue")), List.of("comment")),
  PING("ping", List.of(text("zen"), number("hook_id"), object("hook")), List.of()),
  CREATE(
      "create",
      List.of(text("ref"), text("ref_type"), text("pusher_type"), text("master_branch")),
      List.of()),
  DELETE(
      "delete",
      List.of(text("ref"), text("ref_type"), text("pusher_type")),
      List.of("master_branch")),
  RELEASE("release", List.of(text("action"), object("release")), List.of()),
  MERGE_GROUP("merge_group", List.of(text("action"), object("merge_group")), List.of()),
  WORKFLOW_RUN(
      "workflow_run",
      List.of(text("action"), object("workflow_run"), object("workflow")),
      List.of()),
  WORKFLOW_DISPATCH("workflow_dispatch", List.of(text("ref"), text("workflow")), List.of()),
  REPOSITORY_DISPATCH("repository_dispatch", List.of(text("action"), text("branch")), List.of()),
  CHECK_SUITE("check_suite", List.of(text("action"), object("check_suite")), List.of()),
  CHECK_RUN("check_run", List.of(text("action"), object("check_run")), List.of()),
  PULL_REQUEST_REVIEW(
      "pull_request_review",
      List.of(text("action"), object("review"), object("pull_request")),
      List.of()),
  PULL_REQUEST_REVIEW_COMMENT(
      "pull_request_review_comment",
      List.of(text("action"), object("comment"), object("pull_request")),
      List.of()),
  STATUS("status", List.of(text("sha"), text("state"), text("context")), List.of()),
  DEPLOYMENT(
      "deployment", List.of(text("action"), object("deployment")), List.of("deployment_status")),
  DEPLOYMENT_STATUS(
      "deployment_status",
      List.of(text("action"), object("deployment_status"), object("deployment")),
      List.of());

  private static final Map<String, EventShape> BY_EVENT =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(s -> s.event, s -> s));

  private final String event;
  private final List<Field> required;
  private final List<String> absent;

  EventShape(String event, List<Field> required, List<String> absent) {
    this.event = event;
    this.required = required;
    this.absent = absent;
  }

  /** The event's name as {@code X-GitHub-Event} gives it. */
  public String event() {
    return event;
  }

  /** The shape of {@code event}, if it is one the gateway knows. */
  public static Optional<EventShape> of(String event) {
    return Optional.ofNullable(BY_EVENT.get(event));
  }

  /**
   * Checks that {@code body}, a JSON object, is shaped like this event.
   *
   * @throws WebhookRejectedException PAYLOAD_EVENT_MISMATCH naming the first field that does not
   *     fit
   */
  public void check(JsonNode body) throws WebhookRejectedException {
    for (Field field : required) {
      JsonNode value = body.get(field.name());
      if (value == null || !field.kind().test.test(value)) {
        throw mismatch(field.name() + " must be " + field.kind().description);
      }
    }
    for (String name : absent) {
      JsonNode value = body.get(name);
      if (value != null && !value.isNull()) {
        throw mismatch(name + " belongs to another event");
      }
    }
  }

  private WebhookRejectedException mismatch(String why) {
    return new WebhookRejectedException(
        RejectionCode.PAYLOAD_EVENT_MISMATCH,
        "The body is not shaped like a "
            + event
            + " event ("
            + why
            + "). X-GitHub-Event is not signed; a signed body is only valid as the event GitHub"
            + " sent it for.");
  }

  private static Field text(String name) {
    return new Field(name, Kind.TEXT);
  }

  private static Field number(String name) {
    return new Field(name, Kind.NUMBER);
  }

  private static Field object(String name) {
    return new Field(name, Kind.OBJECT);
  }

  private static Field array(String name) {
    return new Field(name, Kind.ARRAY);
  }

  /** A top-level field an event's body must have, and of which JSON type. */
  private record Field(String name, Kind kind) {}

  private enum Kind {
    TEXT("a string", JsonNode::isTextual),
    NUMBER("an integer", JsonNode::isIntegralNumber),
    OBJECT("an object", JsonNode::isObject),
    ARRAY("an array", JsonNode::isArray);

    private final String description;
    private final Predicate<JsonNode> test;

    Kind(String description, Predicate<JsonNode> test) {
      this.description = description;
      this.test = test;
    }
  }
}
