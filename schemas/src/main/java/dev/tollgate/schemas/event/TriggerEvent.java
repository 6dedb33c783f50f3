package dev.tollgate.schemas.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.json.Sha256;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An authenticated request to run a pipeline ({@code trigger.v1.schema.json}). The gateway writes
 * one only after it authenticated the delivery.
 *
 * <p>The components after {@code payloadTruncated} were added later and are left out of the JSON
 * when null, so a trigger that has none of them serializes exactly as before they existed.
 */
public record TriggerEvent(
    String triggerId,
    Source source,
    Instant receivedAt,
    String event,
    String action,
    String repository,
    String ref,
    String before,
    String after,
    String headSha,
    Sender sender,
    GitHubDelivery github,
    String payloadDigest,
    long payloadSize,
    JsonNode payload,
    boolean payloadTruncated,
    @JsonInclude(JsonInclude.Include.NON_NULL) Identity identity,
    @JsonInclude(JsonInclude.Include.NON_NULL) PullRequest pullRequest,
    @JsonInclude(JsonInclude.Include.NON_NULL) Approval approval,
    @JsonInclude(JsonInclude.Include.NON_NULL) Schedule schedule,
    @JsonInclude(JsonInclude.Include.NON_NULL) Caller caller,
    @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> parameters) {

  private static final Pattern EVENT = Pattern.compile("[a-z_]{1,64}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  @JsonCreator
  public TriggerEvent {
    Fields.require(triggerId, Fields.TRIGGER_ID, "triggerId");
    Fields.require(source, "source");
    Fields.require(receivedAt, "receivedAt");
    Fields.require(event, EVENT, "event");
    Fields.optional(repository, Fields.REPOSITORY, "repository");
    Fields.optional(before, Fields.SHA, "before");
    Fields.optional(after, Fields.SHA, "after");
    Fields.optional(headSha, Fields.SHA, "headSha");
    Sha256.requireDigest(payloadDigest, "payloadDigest");
    if (payloadSize < 0) {
      throw new IllegalArgumentException("payloadSize must not be negative");
    }
    if (source == Source.GITHUB && github == null) {
      throw new IllegalArgumentException("github is required for source github");
    }
    if (payloadTruncated && payload != null && !payload.isNull()) {
      throw new IllegalArgumentException("a truncated trigger carries no payload");
    }
    if (approval != null && (headSha == null || pullRequest == null)) {
      throw new IllegalArgumentException("an approval needs the headSha and pullRequest it covers");
    }
    if (schedule != null && source != Source.SCHEDULE) {
      throw new IllegalArgumentException("only a trigger from source schedule has a schedule");
    }
    if (caller != null && source != Source.EXTERNAL) {
      throw new IllegalArgumentException("only a trigger from source external has a caller");
    }
    if (parameters != null) {
      parameters.forEach(
          (key, value) -> {
            Fields.require(key, "parameters key");
            Fields.require(value, "parameters." + key);
          });
      parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
    }
  }

  /**
   * A trigger as it was before identity, pull request, approval, schedule, caller and parameters
   * were added: all of those null.
   */
  public TriggerEvent(
      String triggerId,
      Source source,
      Instant receivedAt,
      String event,
      String action,
      String repository,
      String ref,
      String before,
      String after,
      String headSha,
      Sender sender,
      GitHubDelivery github,
      String payloadDigest,
      long payloadSize,
      JsonNode payload,
      boolean payloadTruncated) {
    this(
        triggerId,
        source,
        receivedAt,
        event,
        action,
        repository,
        ref,
        before,
        after,
        headSha,
        sender,
        github,
        payloadDigest,
        payloadSize,
        payload,
        payloadTruncated,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * The trigger of one tick of a built-in schedule. The scheduled instant is the trigger's
   * identity, so replicas firing the same tick emit the same trigger.
   */
  public static TriggerEvent scheduled(
      Schedule schedule,
      Instant receivedAt,
      String repository,
      String ref,
      Map<String, String> parameters) {
    return bodiless(
        Ids.scheduleTrigger(schedule.name(), schedule.scheduledAt()),
        Source.SCHEDULE,
        "schedule",
        receivedAt,
        repository,
        ref,
        schedule,
        null,
        parameters);
  }

  /** The trigger of an authenticated external call; the token's id is the trigger's identity. */
  public static TriggerEvent external(
      Caller caller,
      Instant receivedAt,
      String repository,
      String ref,
      Map<String, String> parameters) {
    return bodiless(
        Ids.externalTrigger(caller.name(), caller.tokenId()),
        Source.EXTERNAL,
        "external",
        receivedAt,
        repository,
        ref,
        null,
        caller,
        parameters);
  }

  /** Triggers that carry no request body: their payload digest is that of no bytes. */
  private static TriggerEvent bodiless(
      String triggerId,
      Source source,
      String event,
      Instant receivedAt,
      String repository,
      String ref,
      Schedule schedule,
      Caller caller,
      Map<String, String> parameters) {
    return new TriggerEvent(
        triggerId,
        source,
        receivedAt,
        event,
        null,
        repository,
        ref,
        null,
        null,
        null,
        null,
        null,
        Sha256.digest(new byte[0]),
        0,
        null,
        false,
        null,
        null,
        null,
        schedule,
        caller,
        parameters == null || parameters.isEmpty() ? null : parameters);
  }

  /** Where the trigger came from. */
  public enum Source {
    GITHUB("github"),
    SCHEDULE("schedule"),
    EXTERNAL("external");

    private final String wire;

    Source(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /** Who caused the delivery, as GitHub reported it. */
  public record Sender(String login, long id) {
    public Sender {
      Fields.require(login, "sender.login");
      if (id < 0) {
        throw new IllegalArgumentException("sender.id must not be negative");
      }
    }
  }

  /** GitHub's identifiers of the delivery. */
  public record GitHubDelivery(String deliveryId, String hookId, Long installationId) {
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9-]{1,100}");

    public GitHubDelivery {
      Fields.require(deliveryId, DELIVERY_ID, "github.deliveryId");
    }
  }

  /** A sender's permission on a repository, as GitHub's REST API names it. */
  public enum Permission {
    ADMIN("admin"),
    MAINTAIN("maintain"),
    WRITE("write"),
    TRIAGE("triage"),
    READ("read"),
    NONE("none");

    private final String wire;

    Permission(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }

    /** Whether this is write or more (write, maintain, admin). */
    public boolean canWrite() {
      return this == ADMIN || this == MAINTAIN || this == WRITE;
    }
  }

  /**
   * Who is behind a pull request, push or comment, as far as the gateway could establish it.
   *
   * @param authorAssociation GitHub's author_association, or null when the payload has none
   * @param fromFork whether the head comes from another repository; null when not known
   * @param permission the sender's permission from the GitHub API; null when not verified
   * @param verified whether the permission was looked up
   * @param unverifiedReason a stable code saying why not, when not verified
   */
  public record Identity(
      String authorAssociation,
      Boolean fromFork,
      Permission permission,
      boolean verified,
      String unverifiedReason) {
    private static final Pattern ASSOCIATION = Pattern.compile("[A-Z_]{1,40}");
    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{1,63}");

    public Identity {
      Fields.optional(authorAssociation, ASSOCIATION, "identity.authorAssociation");
      if (verified && (permission == null || unverifiedReason != null)) {
        throw new IllegalArgumentException(
            "a verified identity has a permission and no unverifiedReason");
      }
      if (!verified) {
        Fields.require(unverifiedReason, CODE, "identity.unverifiedReason");
        if (permission != null) {
          throw new IllegalArgumentException("an unverified identity has no permission");
        }
      }
    }

    /** A verified identity. */
    public static Identity verified(
        String authorAssociation, Boolean fromFork, Permission permission) {
      return new Identity(authorAssociation, fromFork, permission, true, null);
    }

    /** An identity whose permission could not be looked up, and why. */
    public static Identity unverified(String authorAssociation, Boolean fromFork, String reason) {
      return new Identity(authorAssociation, fromFork, null, false, reason);
    }
  }

  /** The pull request a trigger is about. */
  public record PullRequest(long number, String headRepository) {
    public PullRequest {
      if (number < 1) {
        throw new IllegalArgumentException("pullRequest.number must be positive");
      }
      Fields.optional(headRepository, Fields.REPOSITORY, "pullRequest.headRepository");
    }
  }

  /**
   * An approval to test a pull request at the trigger's headSha, or an approving comment the
   * gateway could not bind to the commit the maintainer reviewed.
   *
   * @param requestedSha the commit the comment named ({@code /ok-to-test <sha>}, 7 to 64 lowercase
   *     hex characters as written), or null for a bare {@code /ok-to-test}
   * @param refused null when the approval binds to headSha; else a stable code saying why it binds
   *     to nothing: {@code HEAD_NOT_REQUESTED_SHA} (the head is not the commit the comment names),
   *     {@code HEAD_UPDATED_AFTER_COMMENT} (a bare comment, and the pull request changed after it
   *     was written), {@code COMMENT_TIME_UNKNOWN} or {@code HEAD_TIME_UNKNOWN}
   */
  public record Approval(
      Kind kind,
      long commentId,
      @JsonInclude(JsonInclude.Include.NON_NULL) String requestedSha,
      @JsonInclude(JsonInclude.Include.NON_NULL) String refused) {
    private static final Pattern SHORT_SHA = Pattern.compile("[0-9a-f]{7,64}");
    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{1,63}");

    /** The stable codes of {@link #refused}. */
    public static final String HEAD_NOT_REQUESTED_SHA = "HEAD_NOT_REQUESTED_SHA";

    public static final String HEAD_UPDATED_AFTER_COMMENT = "HEAD_UPDATED_AFTER_COMMENT";
    public static final String COMMENT_TIME_UNKNOWN = "COMMENT_TIME_UNKNOWN";
    public static final String HEAD_TIME_UNKNOWN = "HEAD_TIME_UNKNOWN";

    public Approval {
      Fields.require(kind, "approval.kind");
      if (commentId < 0) {
        throw new IllegalArgumentException("approval.commentId must not be negative");
      }
      Fields.optional(requestedSha, SHORT_SHA, "approval.requestedSha");
      Fields.optional(refused, CODE, "approval.refused");
    }

    /** A bare approval bound to the trigger's headSha. */
    public Approval(Kind kind, long commentId) {
      this(kind, commentId, null, null);
    }

    /** Whether it binds to the trigger's headSha. */
    @JsonIgnore
    public boolean bound() {
      return refused == null;
    }

    /** What was approved. */
    public enum Kind {
      OK_TO_TEST("ok-to-test");

      private final String wire;

      Kind(String wire) {
        this.wire = wire;
      }

      @JsonValue
      public String wire() {
        return wire;
      }
    }
  }

  /** The tick of a built-in schedule. */
  public record Schedule(String name, Instant scheduledAt) {
    public Schedule {
      Fields.require(name, NAME, "schedule.name");
      Fields.require(scheduledAt, "schedule.scheduledAt");
    }
  }

  /** Who called an external trigger, from its verified OIDC token. */
  public record Caller(String name, String issuer, String subject, String tokenId) {
    public Caller {
      Fields.require(name, NAME, "caller.name");
      Fields.require(issuer, "caller.issuer");
      Fields.require(subject, "caller.subject");
      Fields.require(tokenId, "caller.tokenId");
    }
  }
}
