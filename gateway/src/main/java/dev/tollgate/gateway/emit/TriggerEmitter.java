package dev.tollgate.gateway.emit;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;

/**
 * Writes triggers to {@code tollgate.triggers.v1} as CloudEvents in Kafka binary mode, keyed by
 * trigger id (see {@link #key}).
 *
 * <p>{@link #emit} completes only when Kafka acknowledged the record (acks=all), and always
 * completes: a refused send or a missing acknowledgement past the configured timeout both fail it
 * with {@link TriggerNotAcknowledgedException}, so no request waits on Kafka forever.
 *
 * <p>Every record is signed with the gateway's own key ({@link EventSigner}, the shared {@code
 * SigningCanonicalJsonSerializer}): the signature covers the CloudEvents attributes and the SHA-256
 * of the exact value bytes, so a trigger produced onto the topic by anyone else is told apart by
 * its consumers. The value is the trigger's JSON as the shared mapper writes it, not its RFC 8785
 * form: the signature binds the bytes as they are (the ledger canonicalizes what it records
 * itself), and canonicalizing a 4 KB trigger cost a quarter of the gateway's CPU.
 *
 * <p>The producer is Kafka's own, used directly from the request's thread: the record's value is
 * made there, {@code send} only appends it to the batch being filled, and the acknowledgement
 * completes the request from Kafka's callback. A messaging channel would add a thread hop and a
 * single sending thread that every request queues behind, which measured as the gateway's ceiling.
 * It is configured like a channel would be: every Kafka producer setting under {@value
 * #CONFIG_PREFIX} (or {@code kafka.}, for all clients), plus {@code topic}.
 *
 * <p>{@code send} blocks only while the topic's metadata is unknown or the producer's buffer is
 * full. Neither may happen on an event loop, so a send is made there only while Kafka acknowledged
 * a trigger within the last {@link #RECENTLY} (its metadata is then cached) and the bytes waiting
 * for an acknowledgement stay under half the producer's {@code buffer.memory}; otherwise it is
 * handed to a worker thread. Past that many waiting bytes, a trigger fails at once: the requests
 * behind it would only be answered 503 later.
 */
@Singleton
@Startup
public class TriggerEmitter {

  /** The CloudEvents source of every trigger the gateway writes. */
  public static final URI SOURCE = URI.create("/tollgate/gateway");

  /** Where the producer's settings are read. */
  public static final String CONFIG_PREFIX = "tollgate.kafka.triggers.";

  /** An acknowledgement this recent means the producer has the topic's metadata. */
  static final Duration RECENTLY = Duration.ofSeconds(30);

  private final Producer<String, Object> producer;
  private final long maxWaitingBytes;
  private final AtomicLong waitingBytes = new AtomicLong();
  private volatile long lastAcknowledgedNanos;
  private final KafkaClientMetrics producerMetrics;
  private final String topic;
  private final Duration ackTimeout;
  private final Timer acknowledged;
  private final Timer notAcknowledged;

  @Inject
  public TriggerEmitter(
      GatewayConfig config,
      Config settings,
      MeterRegistry meters,
      EventSigner signer,
      KafkaClients clients) {
    if (config.kafkaAckTimeout().isNegative() || config.kafkaAckTimeout().isZero()) {
      throw new IllegalArgumentException("tollgate.gateway.kafka-ack-timeout must be positive");
    }
    this.ackTimeout = config.kafkaAckTimeout();
    this.topic =
        settings
            .getOptionalValue(CONFIG_PREFIX + "topic", String.class)
            .orElse(EventType.TRIGGER.defaultTopic());
    Map<String, Object> producerSettings = producerSettings(settings);
    this.maxWaitingBytes =
        Long.parseLong(
                String.valueOf(
                    producerSettings.getOrDefault(
                        ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024)))
            / 2;
    this.lastAcknowledgedNanos = System.nanoTime() - 2 * RECENTLY.toNanos();
    this.producer = clients.producer(producerSettings, new StringSerializer(), signer.serializer());
    this.producerMetrics = new KafkaClientMetrics(producer);
    producerMetrics.bindTo(meters);
    this.acknowledged = ackTimer(meters, "acknowledged");
    this.notAcknowledged = ackTimer(meters, "not_acknowledged");
  }

  /**
   * Every Kafka producer setting given as {@code kafka.<name>} or {@value #CONFIG_PREFIX}{@code
   * <name>} (the latter wins), looked up by name so environment variables resolve too; the
   * serializers are fixed.
   */
  static Map<String, Object> producerSettings(Config settings) {
    Map<String, Object> producer = new HashMap<>();
    for (String name : ProducerConfig.configNames()) {
      if (name.equals(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG)
          || name.equals(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
        continue;
      }
      settings
          .getOptionalValue("kafka." + name, String.class)
          .ifPresent(v -> producer.put(name, v));
      settings
          .getOptionalValue(CONFIG_PREFIX + name, String.class)
          .ifPresent(v -> producer.put(name, v));
    }
    producer.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-triggers");
    return producer;
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
    byte[] value = value(trigger);
    ProducerRecord<String, Object> record =
        new ProducerRecord<>(
            topic, null, key(trigger), value, KafkaCloudEvents.headers(attributes(trigger)));
    Uni<Void> sent =
        Uni.createFrom().emitter(acked -> send(record, value.length, trigger.triggerId(), acked));
    return Uni.createFrom()
        .deferred(
            () -> {
              long start = System.nanoTime();
              boolean inline =
                  !Context.isOnEventLoopThread()
                      || start - lastAcknowledgedNanos < RECENTLY.toNanos();
              Uni<Void> send =
                  inline ? sent : sent.runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
              return acknowledged(send, trigger.triggerId(), ackTimeout)
                  .onItemOrFailure()
                  .invoke(
                      (ok, failure) ->
                          (failure == null ? acknowledged : notAcknowledged)
                              .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
            });
  }

  private void send(
      ProducerRecord<String, Object> record,
      int size,
      String triggerId,
      UniEmitter<? super Void> acked) {
    if (waitingBytes.addAndGet(size) > maxWaitingBytes) {
      waitingBytes.addAndGet(-size);
      acked.fail(
          new TriggerNotAcknowledgedException(
              triggerId, "too many triggers are waiting for Kafka's acknowledgement", null));
      return;
    }
    try {
      producer.send(
          record,
          (metadata, failure) -> {
            waitingBytes.addAndGet(-size);
            if (failure == null) {
              lastAcknowledgedNanos = System.nanoTime();
              acked.complete(null);
            } else {
              acked.fail(failure);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      // send throws for what fails before the record is queued: no metadata within max.block.ms,
      // a record too large, a closed producer.
      waitingBytes.addAndGet(-size);
      acked.fail(e);
    }
  }

  @PreDestroy
  void close() {
    producerMetrics.close();
    producer.close(Duration.ofSeconds(5));
  }

  /** The record's value: the trigger's JSON. */
  public static byte[] value(TriggerEvent trigger) {
    return Json.writeBytes(trigger);
  }

  /**
   * The trigger id: triggers spread over every partition whatever repository they come from, so a
   * busy monorepo is not one hot partition. Nothing needs triggers of one repository in order (the
   * verifier decides each trigger on its own, several at once); what needs one place is one
   * trigger, and a redelivery or a second gateway replica gives the same id, hence the same
   * partition.
   */
  static String key(TriggerEvent trigger) {
    return trigger.triggerId();
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
