package dev.tollgate.gateway.reject;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.RejectionEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Turns refused requests into {@link RejectionEvent}s on {@code tollgate.rejections.v1}, without
 * letting a flood amplify into Kafka: per (reason, remote address) and window, the first rejection
 * is emitted at once with count 1, and the others become one event with their count when the window
 * closes. At most {@code max-keys} pairs are tracked per window; past that, addresses are pooled as
 * "*". So a window emits at most about twice the tracked pairs, however many requests arrive.
 *
 * <p>Events carry the reason code and message (which never quote a secret or the body), the remote
 * address, and the delivery id, event and repository only when they have the shape GitHub gives
 * them. Emitting never delays or changes the answer to the request.
 *
 * <p>An event Kafka did not take (the broker is down, the channel's buffer is full) is held, up to
 * {@code tollgate.gateway.rejections.max-held} events, and sent again when the next window closes,
 * until Kafka takes it. Beyond that bound events are dropped and counted; once Kafka takes events
 * again, one {@value #DROPPED} event says how many were dropped. A resent event keeps its id, so a
 * copy that did reach Kafka after all is recognised downstream.
 */
@Singleton
public class RejectionPublisher {

  private static final Logger LOG = Logger.getLogger(RejectionPublisher.class);
  static final URI SOURCE = URI.create("/tollgate/gateway");
  static final String POOLED = "*";

  /** The reason code of the event that counts rejection events dropped beyond the bound. */
  static final String DROPPED = "REJECTIONS_DROPPED";

  /** One refused request. */
  public record Rejection(
      String code,
      String message,
      String remoteAddress,
      String deliveryId,
      String event,
      String repository) {}

  private record Key(String code, String remoteAddress) {}

  private static final class Window {
    Rejection last;
    int suppressed;
  }

  @Inject
  @Channel("rejections")
  @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
  MutinyEmitter<RejectionEvent> emitter;

  private final int maxKeys;
  private final int maxHeld;
  private final Duration window;
  private final MeterRegistry meters;
  private final Clock clock;
  private Function<RejectionEvent, Uni<Void>> sink;
  private Map<Key, Window> current = new HashMap<>();

  // Events Kafka did not take, oldest first, and how many were dropped beyond maxHeld since the
  // last DROPPED event; guarded by themselves.
  private final Deque<RejectionEvent> held = new ArrayDeque<>();
  private long dropped;

  @Inject
  public RejectionPublisher(GatewayConfig config, MeterRegistry meters) {
    this(
        config.rejections().maxKeys(),
        config.rejections().maxHeld(),
        config.rejections().window(),
        meters,
        Clock.systemUTC());
    this.sink = this::send;
  }

  /** For tests: events go to {@code sink} instead of Kafka; a failed Uni is a refused event. */
  RejectionPublisher(
      int maxKeys,
      int maxHeld,
      Duration window,
      MeterRegistry meters,
      Clock clock,
      Function<RejectionEvent, Uni<Void>> sink) {
    this(maxKeys, maxHeld, window, meters, clock);
    this.sink = sink;
  }

  private RejectionPublisher(
      int maxKeys, int maxHeld, Duration window, MeterRegistry meters, Clock clock) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("tollgate.gateway.rejections.max-keys must be positive");
    }
    if (maxHeld < 0) {
      throw new IllegalArgumentException(
          "tollgate.gateway.rejections.max-held must not be negative");
    }
    this.maxKeys = maxKeys;
    this.maxHeld = maxHeld;
    this.window = window;
    this.meters = meters;
    this.clock = clock;
    meters.gauge("tollgate.gateway.rejections.held", held, h -> heldCount());
  }

  private double heldCount() {
    synchronized (held) {
      return held.size();
    }
  }

  /** Records a refused request; emits an event at once if it is the first of its kind. */
  public void reject(Rejection rejection) {
    RejectionEvent first = null;
    synchronized (this) {
      Key key = new Key(rejection.code(), rejection.remoteAddress());
      if (!current.containsKey(key) && current.size() >= maxKeys) {
        key = new Key(rejection.code(), POOLED);
      }
      Window w = current.get(key);
      if (w == null) {
        w = new Window();
        current.put(key, w);
        w.last = rejection;
        first = event(rejection, key.remoteAddress(), 1, rejection.message());
      } else {
        w.last = rejection;
        w.suppressed++;
      }
    }
    if (first != null) {
      emit(first);
    } else {
      meters.counter("tollgate.gateway.rejections", "outcome", "aggregated").increment();
    }
  }

  /** Closes the window: one event per pair with rejections after its first. */
  @Scheduled(
      every = "${tollgate.gateway.rejections.window:60s}",
      delayed = "${tollgate.gateway.rejections.window:60s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public void flush() {
    Map<Key, Window> closed;
    synchronized (this) {
      closed = current;
      current = new HashMap<>();
    }
    List<RejectionEvent> events = new ArrayList<>();
    closed.forEach(
        (key, w) -> {
          if (w.suppressed > 0) {
            events.add(
                event(
                    w.last,
                    key.remoteAddress(),
                    w.suppressed,
                    w.suppressed
                        + " more rejection(s) "
                        + key.code()
                        + " from "
                        + key.remoteAddress()
                        + " within "
                        + window
                        + "; the last: "
                        + w.last.message()));
          }
        });
    events.forEach(this::emit);
    resendHeld();
  }

  /**
   * Sends the held events again, and the count of dropped ones; what Kafka refuses is held again.
   */
  void resendHeld() {
    List<RejectionEvent> again;
    synchronized (held) {
      again = new ArrayList<>(held);
      held.clear();
      if (dropped > 0) {
        again.add(
            new RejectionEvent(
                "rej-" + UUID.randomUUID().toString().replace("-", ""),
                new Reason(
                    DROPPED,
                    dropped
                        + " rejection event(s) were dropped while Kafka did not take them: more"
                        + " than tollgate.gateway.rejections.max-held ("
                        + maxHeld
                        + ") were waiting. The gateway's logs and its tollgate_gateway_rejections"
                        + " metrics still count them.",
                    null),
                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                POOLED,
                null,
                null,
                null,
                (int) Math.min(Integer.MAX_VALUE, dropped)));
        dropped = 0;
      }
    }
    if (!again.isEmpty()) {
      meters.counter("tollgate.gateway.rejections", "outcome", "resent").increment(again.size());
    }
    again.forEach(this::emit);
  }

  void onStop(@Observes ShutdownEvent stop) {
    flush();
    synchronized (held) {
      if (!held.isEmpty() || dropped > 0) {
        LOG.warnf(
            "stopping with %d rejection event(s) not written to Kafka and %d dropped",
            held.size(), dropped);
      }
    }
  }

  /** Keeps an event Kafka refused for the next attempt, or counts it dropped past the bound. */
  private void hold(RejectionEvent event, Throwable failure) {
    boolean first;
    synchronized (held) {
      if (DROPPED.equals(event.reason().code()) && POOLED.equals(event.remoteAddress())) {
        // The report of dropped events was refused: its count goes back into the next report.
        dropped += event.count();
        return;
      }
      if (held.size() < maxHeld) {
        held.addLast(event);
        meters.counter("tollgate.gateway.rejections", "outcome", "held").increment();
        return;
      }
      first = dropped == 0;
      dropped++;
    }
    meters.counter("tollgate.gateway.rejections", "outcome", "dropped").increment();
    if (first) {
      LOG.warnf(
          "rejection events are being dropped: Kafka does not take them (%s) and %d are held",
          failure.toString(), maxHeld);
    }
  }

  private RejectionEvent event(Rejection r, String address, int count, String message) {
    boolean pooled = POOLED.equals(address);
    return new RejectionEvent(
        "rej-" + UUID.randomUUID().toString().replace("-", ""),
        new Reason(r.code(), message, null),
        clock.instant().truncatedTo(ChronoUnit.MILLIS),
        address,
        pooled ? null : r.deliveryId(),
        pooled ? null : r.event(),
        pooled ? null : r.repository(),
        count);
  }

  private void emit(RejectionEvent event) {
    meters.counter("tollgate.gateway.rejections", "outcome", "emitted").increment();
    Uni<Void> sent;
    try {
      sent = sink.apply(event);
    } catch (IllegalStateException e) {
      // The emitter refuses at once when its buffer is full or the channel is down (its contract).
      hold(event, e);
      return;
    }
    // Never awaited: the request was answered already.
    sent.subscribe().with(ok -> {}, failure -> hold(event, failure));
  }

  private Uni<Void> send(RejectionEvent event) {
    Message<RejectionEvent> message =
        Message.of(event)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(
                        event.repository() != null ? event.repository() : event.remoteAddress())
                    .withHeaders(
                        KafkaCloudEvents.headers(
                            CloudEventAttributes.of(
                                EventType.REJECTION,
                                event.rejectionId(),
                                SOURCE,
                                event.repository(),
                                event.occurredAt())))
                    .build());
    return emitter.sendMessage(message);
  }
}
