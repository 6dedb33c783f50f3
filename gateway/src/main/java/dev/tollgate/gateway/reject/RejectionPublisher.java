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
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
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
 * them. Emitting never delays or changes the answer to the request; when Kafka is down, rejection
 * events are dropped and counted.
 */
@Singleton
public class RejectionPublisher {

  private static final Logger LOG = Logger.getLogger(RejectionPublisher.class);
  static final URI SOURCE = URI.create("/tollgate/gateway");
  static final String POOLED = "*";

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
  private final Duration window;
  private final MeterRegistry meters;
  private final Clock clock;
  private Consumer<RejectionEvent> sink;
  private Map<Key, Window> current = new HashMap<>();

  @Inject
  public RejectionPublisher(GatewayConfig config, MeterRegistry meters) {
    this(config.rejections().maxKeys(), config.rejections().window(), meters, Clock.systemUTC());
    this.sink = this::send;
  }

  /** For tests: events go to {@code sink} instead of Kafka. */
  RejectionPublisher(
      int maxKeys,
      Duration window,
      MeterRegistry meters,
      Clock clock,
      Consumer<RejectionEvent> sink) {
    this(maxKeys, window, meters, clock);
    this.sink = sink;
  }

  private RejectionPublisher(int maxKeys, Duration window, MeterRegistry meters, Clock clock) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("tollgate.gateway.rejections.max-keys must be positive");
    }
    this.maxKeys = maxKeys;
    this.window = window;
    this.meters = meters;
    this.clock = clock;
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
  }

  void onStop(@Observes ShutdownEvent stop) {
    flush();
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
    sink.accept(event);
  }

  private void send(RejectionEvent event) {
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
    // Never awaited: the request was answered already. A full buffer or a nack fails the Uni.
    emitter
        .sendMessage(message)
        .subscribe()
        .with(
            ok -> {},
            failure -> {
              meters.counter("tollgate.gateway.rejections", "outcome", "lost").increment();
              LOG.warnf(
                  "rejection=%s code=%s not written to Kafka: %s",
                  event.rejectionId(), event.reason().code(), failure.toString());
            });
  }
}
