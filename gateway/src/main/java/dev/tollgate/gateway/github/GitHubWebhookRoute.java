package dev.tollgate.gateway.github;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.emit.TriggerNotAcknowledgedException;
import dev.tollgate.gateway.reject.RejectionPublisher;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * {@code POST /webhooks/github}: GitHub's webhook deliveries in, trigger events out.
 *
 * <p>{@link DeliveryGate} decides; this answers. Only a delivery Kafka acknowledged is answered
 * 202; one it did not acknowledge in time is answered 503 with Retry-After, so GitHub shows it as
 * failed and it can be redelivered under the same delivery id, hence the same trigger id. A
 * redelivery of an accepted delivery and an event no policy can use are answered 200 and emit
 * nothing. Every refusal is answered with a JSON reason and becomes a rejection event.
 *
 * <p>Bodies are read whole (413 past {@code quarkus.http.limits.max-body-size}, see {@link
 * BodyLimitGuard}). A body of up to {@value #EVENT_LOOP_MAX_BODY} bytes is verified and parsed on
 * the event loop that read it, which takes microseconds and spares a hand-over to a worker thread;
 * a larger one, or any delivery when the GitHub API may be asked who sent it (a blocking call), is
 * handled on a worker thread. The wait for Kafka's acknowledgement holds no thread either way.
 */
@Path("/webhooks/github")
@Tag(name = "GitHub")
public class GitHubWebhookResource {

  private static final Logger LOG = Logger.getLogger(GitHubWebhookResource.class);

  /**
   * Largest body verified and parsed on the event loop; GitHub's typical deliveries are 2-30 KB.
   */
  static final int EVENT_LOOP_MAX_BODY = 256 * 1024;

  private final DeliveryGate gate;
  private final RecentDeliveries recent;
  private final TriggerEmitter emitter;
  private final RejectionPublisher rejections;
  private final MeterRegistry meters;
  private final String retryAfterSeconds;
  // Registered once: a registry lookup per request (building and hashing the meter id) is
  // measurable
  // at thousands of deliveries a second.
  private final Counter received;
  private final Counter acceptedCount;
  private final Counter duplicateCount;
  private final Counter ignoredCount;
  private final Counter unavailableCount;
  private final Map<RejectionCode, Counter> rejectedCount = new EnumMap<>(RejectionCode.class);
  private final Clock clock = Clock.systemUTC();

  @Inject
  public GitHubWebhookResource(
      DeliveryGate gate,
      RecentDeliveries recent,
      TriggerEmitter emitter,
      RejectionPublisher rejections,
      MeterRegistry meters,
      GatewayConfig config) {
    this.gate = gate;
    this.recent = recent;
    this.emitter = emitter;
    this.rejections = rejections;
    this.meters = meters;
    this.retryAfterSeconds = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
    this.received = meters.counter("tollgate.gateway.deliveries.received");
    this.acceptedCount = outcome(meters, "accepted", "ACCEPTED");
    this.duplicateCount = outcome(meters, "duplicate", "DUPLICATE");
    this.ignoredCount = outcome(meters, "ignored", "IGNORED_EVENT");
    this.unavailableCount = outcome(meters, "unavailable", ErrorBody.KAFKA_NOT_ACKNOWLEDGED);
    for (RejectionCode code : RejectionCode.values()) {
      rejectedCount.put(code, outcome(meters, "rejected", code.name()));
    }
  }

  private static Counter outcome(MeterRegistry meters, String outcome, String code) {
    return meters.counter("tollgate.gateway.deliveries", "outcome", outcome, "code", code);
  }

  /** Authenticates one delivery and answers once its trigger is on Kafka, or why it is not. */
  @POST
  @NonBlocking
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Receive a GitHub webhook delivery",
      description =
          "The body (application/json, or application/x-www-form-urlencoded with payload=) must"
              + " be signed with X-Hub-Signature-256 (HMAC-SHA256 over the raw bytes) under an"
              + " active webhook secret.")
  @Parameter(
      name = "X-Hub-Signature-256",
      in = ParameterIn.HEADER,
      required = true,
      description = "sha256=<64 lowercase hex>")
  @Parameter(name = "X-GitHub-Event", in = ParameterIn.HEADER, required = true)
  @Parameter(name = "X-GitHub-Delivery", in = ParameterIn.HEADER, required = true)
  @APIResponse(
      responseCode = "202",
      description = "Kafka acknowledged the trigger.",
      content = @Content(schema = @Schema(implementation = AcceptedBody.class)))
  @APIResponse(
      responseCode = "200",
      description =
          "Nothing emitted: a redelivery of an accepted delivery (outcome duplicate), or an event"
              + " no policy can use (outcome ignored).",
      content = @Content(schema = @Schema(implementation = AcceptedBody.class)))
  @APIResponse(
      responseCode = "400",
      description = "Malformed headers or payload, or a known delivery id with another body.",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(
      responseCode = "401",
      description = "Missing, malformed or wrong signature.",
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  @APIResponse(responseCode = "413", description = "The body is larger than the limit.")
  @APIResponse(
      responseCode = "415",
      description = "Neither application/json nor application/x-www-form-urlencoded.")
  @APIResponse(
      responseCode = "503",
      description = "Kafka did not acknowledge in time; redeliver later.",
      headers = @Header(name = "Retry-After"),
      content = @Content(schema = @Schema(implementation = ErrorBody.class)))
  public Uni<Response> deliver(
      @Context HttpHeaders headers, @Context HttpServerRequest request, byte[] body) {
    received.increment();
    Instant receivedAt = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
    byte[] raw = body == null ? new byte[0] : body;
    DeliveryHeaders.Source source = DeliveryHeaders.Source.of(headers);
    String remote = remoteAddress(request);
    if (raw.length <= EVENT_LOOP_MAX_BODY && !gate.mayBlock()) {
      return handle(source, remote, raw, receivedAt);
    }
    return Uni.createFrom()
        .deferred(() -> handle(source, remote, raw, receivedAt))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  private Uni<Response> handle(
      DeliveryHeaders.Source source, String remote, byte[] raw, Instant receivedAt) {
    DeliveryGate.Outcome outcome;
    try {
      outcome = gate.admit(source, raw, receivedAt);
    } catch (WebhookRejectedException e) {
      return Uni.createFrom().item(rejected(source, remote, e));
    }
    if (outcome instanceof DeliveryGate.Duplicate) {
      DeliveryGate.Duplicate duplicate = (DeliveryGate.Duplicate) outcome;
      LOG.debugf(
          "delivery=%s outcome=duplicate trigger=%s",
          duplicate.deliveryId(), duplicate.triggerId());
      duplicateCount.increment();
      return Uni.createFrom()
          .item(Response.ok(new AcceptedBody(duplicate.triggerId(), "duplicate")).build());
    }
    if (outcome instanceof DeliveryGate.Ignored) {
      DeliveryGate.Ignored ignored = (DeliveryGate.Ignored) outcome;
      LOG.debugf("delivery=%s event=%s outcome=ignored", ignored.deliveryId(), ignored.event());
      meters.counter("tollgate.gateway.deliveries.ignored", "event", ignored.event()).increment();
      ignoredCount.increment();
      return Uni.createFrom().item(Response.ok(new AcceptedBody(null, "ignored")).build());
    }
    DeliveryGate.Emit emit = (DeliveryGate.Emit) outcome;
    TriggerEvent trigger = emit.trigger();
    return emitter
        .emit(trigger)
        .map(
            acknowledged -> {
              recent.accepted(trigger.github().deliveryId(), emit.payloadDigest());
              return accepted(trigger);
            })
        .onFailure(TriggerNotAcknowledgedException.class)
        .recoverWithItem(failure -> unavailable(trigger, failure));
  }

  private Response accepted(TriggerEvent trigger) {
    // Accepted deliveries are counted, not logged one line each: at thousands a second that line
    // would cost more than the rest of the request. Debug level shows them.
    if (LOG.isDebugEnabled()) {
      LOG.debugf(
          "delivery=%s event=%s repository=%s outcome=accepted trigger=%s size=%d truncated=%s"
              + " identity=%s",
          trigger.github().deliveryId(),
          trigger.event(),
          trigger.repository(),
          trigger.triggerId(),
          trigger.payloadSize(),
          trigger.payloadTruncated(),
          trigger.identity() == null
              ? "-"
              : trigger.identity().verified()
                  ? trigger.identity().permission().wire()
                  : "unverified:" + trigger.identity().unverifiedReason());
    }
    acceptedCount.increment();
    return Response.accepted(new AcceptedBody(trigger.triggerId(), "accepted")).build();
  }

  private Response unavailable(TriggerEvent trigger, Throwable failure) {
    LOG.warnf(
        "delivery=%s event=%s repository=%s outcome=unavailable trigger=%s cause=%s",
        trigger.github().deliveryId(),
        trigger.event(),
        trigger.repository(),
        trigger.triggerId(),
        failure.getMessage());
    unavailableCount.increment();
    return Response.status(Response.Status.SERVICE_UNAVAILABLE)
        .header("Retry-After", retryAfterSeconds)
        .entity(
            new ErrorBody(
                ErrorBody.KAFKA_NOT_ACKNOWLEDGED,
                "The trigger "
                    + trigger.triggerId()
                    + " could not be recorded now. Redeliver it later; a redelivery keeps its"
                    + " trigger id."))
        .build();
  }

  private Response rejected(
      DeliveryHeaders.Source headers, String remote, WebhookRejectedException e) {
    // Headers are unsigned and, when the signature failed, from anyone: only what has the shape
    // GitHub gives them is logged or emitted, so a crafted header cannot forge log lines.
    String delivery =
        DeliveryHeaders.wellFormed(
            headers, DeliveryHeaders.DELIVERY, DeliveryHeaders.DELIVERY_PATTERN);
    String event =
        DeliveryHeaders.wellFormed(headers, DeliveryHeaders.EVENT, DeliveryHeaders.EVENT_PATTERN);
    LOG.warnf(
        "delivery=%s event=%s outcome=rejected code=%s status=%d",
        delivery == null ? "-" : delivery,
        event == null ? "-" : event,
        e.code(),
        e.code().httpStatus());
    rejectedCount.get(e.code()).increment();
    rejections.reject(
        new RejectionPublisher.Rejection(
            e.code().name(), e.getMessage(), remote, delivery, event, e.repository()));
    return Response.status(e.code().httpStatus())
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorBody(e.code().name(), e.getMessage()))
        .build();
  }

  /** The peer's address (behind a proxy, as forwarded when the HTTP layer is told to trust it). */
  public static String remoteAddress(HttpServerRequest request) {
    if (request == null || request.remoteAddress() == null) {
      return "unknown";
    }
    String host = request.remoteAddress().hostAddress();
    return host == null || host.isEmpty() ? "unknown" : host;
  }

  /**
   * The 200 and 202 body.
   *
   * @param triggerId the trigger's id; null for an ignored event
   * @param outcome accepted, duplicate or ignored
   */
  public record AcceptedBody(String triggerId, String outcome) {}

  /** Every error body: a stable code and a message saying what failed and what to do. */
  public record ErrorBody(String code, String message) {
    static final String KAFKA_NOT_ACKNOWLEDGED = "KAFKA_NOT_ACKNOWLEDGED";
  }
}
