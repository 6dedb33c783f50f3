package dev.tollgate.gateway.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.CharConversionException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Turns an authenticated GitHub delivery into a {@link TriggerEvent}: the fields a verifier decides
 * on, lifted out of the payload into the contract's shape.
 *
 * <p>A payload whose fields do not fit the contract (a SHA that is not 40 or 64 lowercase hex, a
 * repository name with a slash too many, a sender without an id) is refused as a whole with
 * PAYLOAD_INVALID rather than passed on with the field dropped: the signature says GitHub sent it,
 * so a misfit means our reading of GitHub's format is wrong, and a trigger missing the very field
 * that was odd could be decided differently from what was asked. A body not shaped like the event
 * its unsigned header names ({@link EventShape}) is refused with PAYLOAD_EVENT_MISMATCH.
 */
@Singleton
@Startup
public class TriggerNormalizer {

  private final long maxEmbeddedPayload;

  @Inject
  public TriggerNormalizer(GatewayConfig config) {
    this(config.maxEmbeddedPayload());
  }

  TriggerNormalizer(long maxEmbeddedPayload) {
    if (maxEmbeddedPayload < 0) {
      throw new IllegalArgumentException("the embedding limit must not be negative");
    }
    this.maxEmbeddedPayload = maxEmbeddedPayload;
  }

  /**
   * Builds the trigger for a delivery whose signature was verified.
   *
   * @param headers the validated delivery headers
   * @param rawBody the body exactly as received (and signed)
   * @param receivedAt when the gateway received it
   * @throws WebhookRejectedException PAYLOAD_MALFORMED when the body is not one JSON object,
   *     PAYLOAD_INVALID when a field does not fit the trigger contract
   */
  public TriggerEvent normalize(DeliveryHeaders headers, byte[] rawBody, Instant receivedAt)
      throws WebhookRejectedException {
    return read(headers, rawBody, receivedAt).trigger();
  }

  /** A delivery's trigger and the payload it was read from. */
  public record Normalized(TriggerEvent trigger, JsonNode payload) {}

  /**
   * Like {@link #normalize}, also returning the parsed payload for the steps that read more of it
   * (who sent it).
   */
  public Normalized read(DeliveryHeaders headers, byte[] rawBody, Instant receivedAt)
      throws WebhookRejectedException {
    return read(headers, rawBody, Sha256.digest(rawBody), receivedAt);
  }

  /** Like {@link #read(DeliveryHeaders, byte[], Instant)}, with the body's digest already made. */
  public Normalized read(
      DeliveryHeaders headers, byte[] rawBody, String payloadDigest, Instant receivedAt)
      throws WebhookRejectedException {
    byte[] json = headers.formEncoded() ? formPayload(rawBody) : rawBody;
    JsonNode root;
    try {
      root = Json.readTree(json);
    } catch (UncheckedIOException e) {
      // Jackson guesses UTF-16/32 from leading NUL bytes and then fails with an I/O error that
      // Json.readTree does not expect (found by DeliveryGateFuzzTest). GitHub sends UTF-8 only.
      if (e.getCause() instanceof CharConversionException) {
        throw new WebhookRejectedException(
            RejectionCode.PAYLOAD_MALFORMED, "The body is not JSON in UTF-8.");
      }
      throw e;
    } catch (MalformedJsonException e) {
      throw new WebhookRejectedException(
          RejectionCode.PAYLOAD_MALFORMED, "The body is not valid JSON: " + e.getMessage());
    }
    if (!root.isObject()) {
      throw new WebhookRejectedException(
          RejectionCode.PAYLOAD_MALFORMED, "The body must be a JSON object.");
    }
    // DeliveryGate lets no event without a known shape get this far.
    Optional<EventShape> shape = EventShape.of(headers.event());
    if (shape.isPresent()) {
      shape.get().check(root);
    }
    String ref = text(root, "ref");
    String before = text(root, "before");
    String after = text(root, "after");
    String headSha;
    if ("push".equals(headers.event())) {
      headSha = after;
    } else if ("pull_request".equals(headers.event())) {
      headSha = text(object(root, "pull_request", "head"), "sha", "pull_request.head.sha");
    } else if ("merge_group".equals(headers.event())) {
      // A merge queue's group: the commit GitHub built on its temporary branch
      // (gh-readonly-queue/<base>/pr-<n>-<sha>) over the base branch's head. That commit is
      // what is run and where the check is reported; the base is its "before".
      JsonNode group = object(root, "merge_group");
      headSha = text(group, "head_sha", "merge_group.head_sha");
      ref = text(group, "head_ref", "merge_group.head_ref");
      before = text(group, "base_sha", "merge_group.base_sha");
      after = headSha;
      if (headSha == null || ref == null) {
        throw new WebhookRejectedException(
            RejectionCode.PAYLOAD_INVALID, "merge_group must have a head_sha and a head_ref.");
      }
    } else {
      headSha = null;
    }
    boolean embedded = rawBody.length <= maxEmbeddedPayload;
    try {
      TriggerEvent trigger =
          new TriggerEvent(
              Ids.githubTrigger(headers.deliveryId(), headers.hookId()),
              TriggerEvent.Source.GITHUB,
              receivedAt,
              headers.event(),
              text(root, "action"),
              text(object(root, "repository"), "full_name", "repository.full_name"),
              ref,
              before,
              after,
              headSha,
              sender(root),
              new TriggerEvent.GitHubDelivery(
                  headers.deliveryId(),
                  headers.hookId(),
                  number(object(root, "installation"), "id", "installation.id")),
              payloadDigest,
              rawBody.length,
              embedded ? embedded(json, root) : null,
              !embedded,
              null,
              pullRequest(headers.event(), root),
              null,
              null,
              null,
              null);
      return new Normalized(trigger, root);
    } catch (IllegalArgumentException e) {
      // The contract's compact constructors name the field and the rule, never the value.
      throw new WebhookRejectedException(
          RejectionCode.PAYLOAD_INVALID,
          "The payload does not fit the trigger contract: " + e.getMessage() + ".");
    }
  }

  /**
   * The payload to embed: its bytes as received (decoded from the form), which readTree accepted as
   * one object, written verbatim; the tree only if they were not UTF-8.
   */
  private static JsonNode embedded(byte[] json, JsonNode root) {
    return Json.isUtf8Object(json) ? Json.verbatimObject(json) : root;
  }

  /**
   * The JSON of a form-encoded delivery: the one {@code payload} field of {@code
   * application/x-www-form-urlencoded} bytes. The signature was verified over the encoded bytes.
   */
  static byte[] formPayload(byte[] rawBody) throws WebhookRejectedException {
    String form = new String(rawBody, StandardCharsets.ISO_8859_1);
    String payload = null;
    for (String field : form.split("&", -1)) {
      int eq = field.indexOf('=');
      String name = eq < 0 ? field : field.substring(0, eq);
      if (!"payload".equals(name)) {
        continue; // GitHub sends only payload; other fields are not signed differently, only unused
      }
      if (payload != null) {
        throw new WebhookRejectedException(
            RejectionCode.PAYLOAD_MALFORMED, "The form body has more than one payload field.");
      }
      try {
        payload = URLDecoder.decode(eq < 0 ? "" : field.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new WebhookRejectedException(
            RejectionCode.PAYLOAD_MALFORMED,
            "The form body's payload field is not valid URL encoding.");
      }
    }
    if (payload == null) {
      throw new WebhookRejectedException(
          RejectionCode.PAYLOAD_MALFORMED,
          "The form body has no payload field. GitHub sends payload=<JSON> when the webhook's"
              + " content type is application/x-www-form-urlencoded.");
    }
    return payload.getBytes(StandardCharsets.UTF_8);
  }

  private static TriggerEvent.PullRequest pullRequest(String event, JsonNode root)
      throws WebhookRejectedException {
    if ("pull_request".equals(event)) {
      JsonNode pr = object(root, "pull_request");
      Long number = number(pr, "number", "pull_request.number");
      if (number == null) {
        return null;
      }
      return new TriggerEvent.PullRequest(
          number,
          text(object(root, "pull_request", "head", "repo"), "full_name", "head.repo.full_name"));
    }
    if ("issue_comment".equals(event) && object(root, "issue", "pull_request") != null) {
      Long number = number(object(root, "issue"), "number", "issue.number");
      return number == null ? null : new TriggerEvent.PullRequest(number, null);
    }
    return null;
  }

  private static TriggerEvent.Sender sender(JsonNode root) throws WebhookRejectedException {
    JsonNode sender = object(root, "sender");
    if (sender == null) {
      return null;
    }
    String login = text(sender, "login", "sender.login");
    Long id = number(sender, "id", "sender.id");
    if (login == null || id == null) {
      throw new WebhookRejectedException(
          RejectionCode.PAYLOAD_INVALID, "sender must have a login and an id.");
    }
    return new TriggerEvent.Sender(login, id);
  }

  /** The object under {@code path} from {@code node}, or null when any step is absent or null. */
  static JsonNode object(JsonNode node, String... path) throws WebhookRejectedException {
    JsonNode current = node;
    for (String step : path) {
      if (current == null) {
        return null;
      }
      JsonNode next = current.get(step);
      if (next == null || next.isNull()) {
        return null;
      }
      if (!next.isObject()) {
        throw new WebhookRejectedException(
            RejectionCode.PAYLOAD_INVALID, String.join(".", path) + " must be an object.");
      }
      current = next;
    }
    return current;
  }

  private static String text(JsonNode node, String field) throws WebhookRejectedException {
    return text(node, field, field);
  }

  static String text(JsonNode node, String field, String name) throws WebhookRejectedException {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new WebhookRejectedException(
          RejectionCode.PAYLOAD_INVALID, name + " must be a string.");
    }
    return value.textValue();
  }

  static Long number(JsonNode node, String field, String name) throws WebhookRejectedException {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new WebhookRejectedException(
          RejectionCode.PAYLOAD_INVALID, name + " must be an integer.");
    }
    return value.longValue();
  }
}
