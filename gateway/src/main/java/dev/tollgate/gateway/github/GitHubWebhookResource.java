package dev.tollgate.gateway.github;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.emit.TriggerNotAcknowledgedException;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
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
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * {@code POST /webhooks/github}: GitHub's webhook deliveries in, trigger events out.
 *
 * <p>Checks run in an order that trusts nothing before it is authenticated: the signature over the
 * raw body first (401), then the headers and content type (400, 415), then the JSON (400). Only a
 * delivery Kafka acknowledged is answered 202; one it did not acknowledge in time is answered 503
 * with Retry-After, so GitHub shows it as failed and it can be redelivered under the same delivery
 * id, hence the same trigger id.
 *
 * <p>Bodies are read whole (Vert.x answers 413 past {@code quarkus.http.limits.max-body-size}),
 * then hashed and parsed on a worker thread, since a 25 MB body is too much work for the event
 * loop; the wait for Kafka's acknowledgement holds no thread.
 */
@Path("/webhooks/github")
public class GitHubWebhookResource {

  private static final Logger LOG = Logger.getLogger(GitHubWebhookResource.class);

  private final SignatureVerifier signatures;
  private final TriggerNormalizer normalizer;
  private final TriggerEmitter emitter;
  private final MeterRegistry meters;
  private final String retryAfterSeconds;
  private final Clock clock = Clock.systemUTC();

  @Inject
  public GitHubWebhookResource(
      SignatureVerifier signatures,
      TriggerNormalizer normalizer,
      TriggerEmitter emitter,
      MeterRegistry meters,
      GatewayConfig config) {
    this.signatures = signatures;
    this.normalizer = normalizer;
    this.emitter = emitter;
    this.meters = meters;
    this.retryAfterSeconds = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
  }

  /** Authenticates one delivery and answers once its trigger is on Kafka, or why it is not. */
  @POST
  @Blocking
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> deliver(@Context HttpHeaders headers, byte[] body) {
    Instant receivedAt = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
    byte[] raw = body == null ? new byte[0] : body;
    TriggerEvent trigger;
    try {
      signatures.verify(
          DeliveryHeaders.single(
              headers, SignatureVerifier.HEADER, RejectionCode.SIGNATURE_MALFORMED),
          raw);
      trigger = normalizer.normalize(DeliveryHeaders.from(headers), raw, receivedAt);
    } catch (WebhookRejectedException e) {
      return Uni.createFrom().item(rejected(headers, e));
    }
    return emitter
        .emit(trigger)
        .map(acknowledged -> accepted(trigger))
        .onFailure(TriggerNotAcknowledgedException.class)
        .recoverWithItem(failure -> unavailable(trigger, failure));
  }

  private Response accepted(TriggerEvent trigger) {
    LOG.infof(
        "delivery=%s event=%s repository=%s outcome=accepted trigger=%s size=%d truncated=%s",
        trigger.github().deliveryId(),
        trigger.event(),
        trigger.repository(),
        trigger.triggerId(),
        trigger.payloadSize(),
        trigger.payloadTruncated());
    count("accepted", "ACCEPTED");
    return Response.accepted(new AcceptedBody(trigger.triggerId())).build();
  }

  private Response unavailable(TriggerEvent trigger, Throwable failure) {
    LOG.warnf(
        "delivery=%s event=%s repository=%s outcome=unavailable trigger=%s cause=%s",
        trigger.github().deliveryId(),
        trigger.event(),
        trigger.repository(),
        trigger.triggerId(),
        failure.getMessage());
    count("unavailable", ErrorBody.KAFKA_NOT_ACKNOWLEDGED);
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

  private Response rejected(HttpHeaders headers, WebhookRejectedException e) {
    // Headers are unsigned and, when the signature failed, from anyone: log only what has the
    // shape GitHub gives them, so a crafted header cannot forge log lines.
    LOG.warnf(
        "delivery=%s event=%s outcome=rejected code=%s status=%d",
        loggable(headers, DeliveryHeaders.DELIVERY, DeliveryHeaders.DELIVERY_PATTERN),
        loggable(headers, DeliveryHeaders.EVENT, DeliveryHeaders.EVENT_PATTERN),
        e.code(),
        e.code().httpStatus());
    count("rejected", e.code().name());
    return Response.status(e.code().httpStatus())
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ErrorBody(e.code().name(), e.getMessage()))
        .build();
  }

  private void count(String outcome, String code) {
    meters.counter("tollgate.gateway.deliveries", "outcome", outcome, "code", code).increment();
  }

  private static String loggable(HttpHeaders headers, String name, Pattern shape) {
    String value = headers.getHeaderString(name);
    if (value == null) {
      return "-";
    }
    return shape.matcher(value).matches() ? value : "<invalid>";
  }

  /** The 202 body. */
  public record AcceptedBody(String triggerId) {}

  /** Every error body: a stable code and a message saying what failed and what to do. */
  public record ErrorBody(String code, String message) {
    static final String KAFKA_NOT_ACKNOWLEDGED = "KAFKA_NOT_ACKNOWLEDGED";
  }
}
