package dev.tollgate.gateway.emit;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.TriggerEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Writes triggers to the {@code triggers} channel ({@code tollgate.triggers.v1}) as CloudEvents in
 * Kafka binary mode, keyed by repository so that one repository's triggers stay in order.
 *
 * <p>{@link #emit} completes only when Kafka acknowledged the record (acks=all), and always
 * completes: a nack, a full emitter buffer or a missing acknowledgement past the configured timeout
 * all fail it with {@link TriggerNotAcknowledgedException}, so no request waits on Kafka forever.
 */
@Singleton
@Startup
public class TriggerEmitter {

  /** The CloudEvents source of every trigger the gateway writes. */
  public static final URI SOURCE = URI.create("/tollgate/gateway");

  /**
   * Triggers waiting for the Kafka sink to take them. Beyond this, emitting fails at once instead
   * of queueing work whose senders have long been answered 503.
   */
  static final int BUFFER_SIZE = 256;

  @Inject
  @Channel("triggers")
  @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = BUFFER_SIZE)
  MutinyEmitter<TriggerEvent> emitter;

  private final Duration ackTimeout;
  private final Timer acknowledged;
  private final Timer notAcknowledged;

  @Inject
  public TriggerEmitter(GatewayConfig config, MeterRegistry meters) {
    if (config.kafkaAckTimeout().isNegative() || config.kafkaAckTimeout().isZero()) {
      throw new IllegalArgumentException("tollgate.gateway.kafka-ack-timeout must be positive");
    }
    this.ackTimeout = config.kafkaAckTimeout();
    this.acknowledged = ackTimer(meters, "acknowledged");
    this.notAcknowledged = ackTimer(meters, "not_acknowledged");
  }

  private static Timer ackTimer(MeterRegistry meters, String outcome) {
    return Timer.builder("tollgate.gateway.kafka.ack")
        .description("Time from sending a trigger to Kafka's acknowledgement (or its failure)")
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(meters);
  }

  /**
   * Sends the trigger and completes when Kafka acknowledged it.
   *
   * @return a Uni that fails with {@link TriggerNotAcknowledgedException} when it was not
   */
  public Uni<Void> emit(TriggerEvent trigger) {
    Message<TriggerEvent> message =
        Message.of(trigger)
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(key(trigger))
                    .withHeaders(KafkaCloudEvents.headers(attributes(trigger)))
                    .build());
    return Uni.createFrom()
        .deferred(
            () -> {
              long start = System.nanoTime();
              return acknowledged(
                      Uni.createFrom().deferred(() -> emitter.sendMessage(message)),
                      trigger.triggerId(),
                      ackTimeout)
                  .onItemOrFailure()
                  .invoke(
                      (ok, failure) ->
                          (failure == null ? acknowledged : notAcknowledged)
                              .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
            });
  }

  /** Repository full name, so a repository's triggers share a partition; else the event name. */
  static String key(TriggerEvent trigger) {
    return trigger.repository() != null ? trigger.repository() : trigger.event();
  }

  static CloudEventAttributes attributes(TriggerEvent trigger) {
    return CloudEventAttributes.of(
        EventType.TRIGGER, trigger.triggerId(), SOURCE, trigger.repository(), trigger.receivedAt());
  }

  /**
   * Bounds a send by its acknowledgement: completes when {@code send} does, fails with {@link
   * TriggerNotAcknowledgedException} when it fails or has not completed within {@code timeout}.
   */
  static Uni<Void> acknowledged(Uni<Void> send, String triggerId, Duration timeout) {
    return send.ifNoItem()
        .after(timeout)
        .failWith(
            () ->
                new TriggerNotAcknowledgedException(
                    triggerId, "Kafka did not acknowledge within " + timeout, null))
        .onFailure(failure -> !(failure instanceof TriggerNotAcknowledgedException))
        .transform(
            failure ->
                new TriggerNotAcknowledgedException(
                    triggerId, "Kafka refused the record: " + failure, failure));
  }
}
