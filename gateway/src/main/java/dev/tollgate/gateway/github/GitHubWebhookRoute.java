package dev.tollgate.gateway.github;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.emit.TriggerNotAcknowledgedException;
import dev.tollgate.gateway.reject.RejectionPublisher;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
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
 * <p>A plain Vert.x route, not a REST resource: at thousands of deliveries a second the REST
 * layer's request and response handling cost a third of the gateway's CPU, for an endpoint that
 * takes bytes and answers a small JSON body. Its OpenAPI description is in {@code
 * META-INF/openapi.yaml}, merged with the resources' annotations into {@code /q/openapi}.
 *
 * <p>Bodies are read whole up to {@code quarkus.http.limits.max-body-size} (413 past it, while
 * reading; see {@link BodyLimitGuard}), within the {@link BodyBudget} of bytes held before
 * authentication (503 past it; see {@link BodyReader}). A body of up to {@value
 * #EVENT_LOOP_MAX_BODY} bytes is verified and parsed on the event loop that read it, which takes
 * microseconds and spares a hand-over to a worker thread; a larger one, or any delivery when the
 * GitHub API may be asked who sent it (a blocking call), is handled on a worker thread. The wait
 * for Kafka's acknowledgement holds no thread either way, and the answer is written on the
 * request's own context.
 */
@Singleton
public class GitHubWebhookRoute {

  /** Where GitHub delivers. */
  public static final String PATH = "/webhooks/github";

  private static final Logger LOG = Logger.getLogger(GitHubWebhookRoute.class);

  /**
   * Largest body verified and parsed on the event loop; GitHub's typical deliveries are 2-30 KB.
   */
  static final int EVENT_LOOP_MAX_BODY = 256 * 1024;

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");

  private final DeliveryGate gate;
  private final DeliveryJournal journal;
  private final TriggerEmitter emitter;
  // Looked up when a rejection is published: the router, whose observer creates this bean, is built
  // before the messaging channels that the publisher needs are connected.
  private final Provider<RejectionPublisher> rejections;
  private final MeterRegistry meters;
  private final String retryAfterSeconds;
  private final BodyReader reader;
  // Registered once: a registry lookup per request (building and hashing the meter id) is
  // measurable at thousands of deliveries a second.
  private final Counter received;
  private final Counter acceptedCount;
  private final Counter duplicateCount;
  private final Counter ignoredCount;
  private final Counter unavailableCount;
  private final Map<RejectionCode, Counter> rejectedCount = new EnumMap<>(RejectionCode.class);
  private final Clock clock = Clock.systemUTC();

  @Inject
  public GitHubWebhookRoute(
      DeliveryGate gate,
      DeliveryJournal journal,
      TriggerEmitter emitter,
      Provider<RejectionPublisher> rejections,
      MeterRegistry meters,
      GatewayConfig config,
      BodyBudget budget,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
    this.gate = gate;
    this.journal = journal;
    this.emitter = emitter;
    this.rejections = rejections;
    this.meters = meters;
    this.retryAfterSeconds = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
    this.reader =
        new BodyReader(budget, maxBodySize.asLongValue(), config.intake().bodyReadTimeout());
    this.received = meters.counter("tollgate.gateway.deliveries.received");
    this.acceptedCount = outcome(meters, "accepted", "ACCEPTED");
    this.duplicateCount = outcome(meters, "duplicate", "DUPLICATE");
    this.ignoredCount = outcome(meters, "ignored", "IGNORED_EVENT");
    this.unavailableCount = outcome(meters, "unavailable", ErrorBody.KAFKA_NOT_ACKNOWLEDGED);
    for (RejectionCode code : RejectionCode.values()) {
      rejectedCount.put(code, outcome(meters, "rejected", code.name()));
    }
  }

  void install(@Observes Router router) {
    router.post(PATH).handler(this::read);
  }

  /** Reads the body within its bounds ({@link BodyReader}), then delivers it. */
  void read(RoutingContext routing) {
    reader.read(routing, this::deliver, this::refuse);
  }

  /** Answers a request refused while its body was read, and records the refusal. */
  private void refuse(RoutingContext routing, WebhookRejectedException why, boolean close) {
    HttpServerRequest request = routing.request();
    Answer answer = rejected(request.headers()::getAll, remoteAddress(request), why);
    HttpServerResponse response = routing.response();
    if (response.ended()) {
      return;
    }
    if (close) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
      write(response, answer).onComplete(ignored -> request.connection().close());
    } else {
      write(response, answer);
    }
  }

  private static Counter outcome(MeterRegistry meters, String outcome, String code) {
    return meters.counter("tollgate.gateway.deliveries", "outcome", outcome, "code", code);
  }

  /** Authenticates one delivery and answers once its trigger is on Kafka, or why it is not. */
  void deliver(RoutingContext routing, byte[] raw) {
    received.increment();
    Instant receivedAt = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
    HttpServerRequest request = routing.request();
    DeliveryHeaders.Source source = request.headers()::getAll;
    String remote = remoteAddress(request);
    Context context = Vertx.currentContext();
    Uni<Answer> answer = Uni.createFrom().deferred(() -> handle(source, remote, raw, receivedAt));
    if (raw.length > EVENT_LOOP_MAX_BODY || gate.mayBlock()) {
      answer = answer.runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
    answer
        .subscribe()
        .with(
            done -> onContext(context, () -> write(routing.response(), done)),
            failure -> onContext(context, () -> routing.fail(failure)));
  }

  /** Runs on the request's context: directly when already there, else handed to it. */
  private static void onContext(Context context, Runnable action) {
    if (context == null || Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(ignored -> action.run());
    }
  }

  private static Future<Void> write(HttpServerResponse response, Answer answer) {
    response.setStatusCode(answer.status()).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    if (answer.retryAfter() != null) {
      response.putHeader(RETRY_AFTER, answer.retryAfter());
    }
    return response.end(Buffer.buffer(Json.writeBytes(answer.body())));
  }

  /** What to answer: a status, a JSON body, and for 503 when to retry. */
  record Answer(int status, Object body, String retryAfter) {
    static Answer of(int status, Object body) {
      return new Answer(status, body, null);
    }
  }

  private Uni<Answer> handle(
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
          .item(Answer.of(200, new AcceptedBody(duplicate.triggerId(), "duplicate")));
    }
    if (outcome instanceof DeliveryGate.Ignored) {
      DeliveryGate.Ignored ignored = (DeliveryGate.Ignored) outcome;
      LOG.debugf("delivery=%s event=%s outcome=ignored", ignored.deliveryId(), ignored.event());
      meters.counter("tollgate.gateway.deliveries.ignored", "event", ignored.event()).increment();
      ignoredCount.increment();
      return Uni.createFrom().item(Answer.of(200, new AcceptedBody(null, "ignored")));
    }
    DeliveryGate.Emit emit = (DeliveryGate.Emit) outcome;
    TriggerEvent trigger = emit.trigger();
    return emitter
        .emit(trigger)
        .map(
            acknowledged -> {
              journal.accepted(trigger.triggerId(), emit.payloadDigest());
              return accepted(trigger);
            })
        .onFailure(TriggerNotAcknowledgedException.class)
        .recoverWithItem(failure -> unavailable(trigger, failure));
  }

  private Answer accepted(TriggerEvent trigger) {
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
    return Answer.of(202, new AcceptedBody(trigger.triggerId(), "accepted"));
  }

  private Answer unavailable(TriggerEvent trigger, Throwable failure) {
    LOG.warnf(
        "delivery=%s event=%s repository=%s outcome=unavailable trigger=%s cause=%s",
        trigger.github().deliveryId(),
        trigger.event(),
        trigger.repository(),
        trigger.triggerId(),
        failure.getMessage());
    unavailableCount.increment();
    return new Answer(
        503,
        new ErrorBody(
            ErrorBody.KAFKA_NOT_ACKNOWLEDGED,
            "The trigger "
                + trigger.triggerId()
                + " could not be recorded now. Redeliver it later; a redelivery keeps its"
                + " trigger id."),
        retryAfterSeconds);
  }

  private Answer rejected(
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
    rejections
        .get()
        .reject(
            new RejectionPublisher.Rejection(
                e.code().name(), e.getMessage(), remote, delivery, event, e.repository()));
    return new Answer(
        e.code().httpStatus(),
        new ErrorBody(e.code().answeredAs().name(), e.answer()),
        e.code().httpStatus() == 503 ? retryAfterSeconds : null);
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
