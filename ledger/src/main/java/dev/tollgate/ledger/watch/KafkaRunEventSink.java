package dev.tollgate.ledger.watch;

import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.RunEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.kafka.KafkaClientSettings;
import dev.tollgate.schemas.signing.EventSigningKey;
import dev.tollgate.schemas.signing.SigningCanonicalJsonSerializer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes run events to the runs topic: keyed by run uid (so one run's events stay in order on one
 * partition), CloudEvents binary mode, canonical JSON data signed with the run watch's own key
 * ({@code ce_tollgatesigner}, {@code ce_tollgatesignature}), idempotent producer with {@code
 * acks=all}; {@link #publish} returns only once the broker acknowledged.
 */
public final class KafkaRunEventSink implements RunEventSink, AutoCloseable {

  /** CloudEvents source of run events. */
  public static final URI SOURCE = URI.create("/tollgate/ledger/watch");

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaProducer<byte[], Object> producer;
  private final String topic;

  /** A sink on a plaintext broker, signing with the run watch's {@code key}. */
  public KafkaRunEventSink(String bootstrapServers, String topic, EventSigningKey key) {
    this(KafkaClientSettings.plaintext(bootstrapServers), topic, key);
  }

  /**
   * A sink that reaches the brokers with these connection and security settings and signs every
   * event with the run watch's {@code key} ({@link SigningCanonicalJsonSerializer}), never the
   * ledger's record key.
   */
  public KafkaRunEventSink(Map<String, Object> connection, String topic, EventSigningKey key) {
    Map<String, Object> props = new HashMap<>(KafkaClientSettings.connection(connection));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-ledger-run-watch");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    this.producer =
        new KafkaProducer<>(
            props, new ByteArraySerializer(), new SigningCanonicalJsonSerializer(key));
    this.topic = topic;
  }

  @Override
  public void publish(String eventId, RunEvent event) throws RunPublishException {
    CloudEventAttributes attributes =
        CloudEventAttributes.of(
            EventType.RUN,
            eventId,
            SOURCE,
            event.kind().wire() + "/" + event.namespace() + "/" + event.name(),
            event.observedAt());
    // The CloudEvents headers are on the record before the serializer signs them with the data.
    ProducerRecord<byte[], Object> record =
        new ProducerRecord<>(
            topic,
            null,
            event.runUid().getBytes(StandardCharsets.UTF_8),
            CanonicalJson.bytes(Json.toTree(event)),
            KafkaCloudEvents.headers(attributes));
    try {
      producer.send(record).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw new RunPublishException("cannot write run event " + eventId + " to " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunPublishException("interrupted writing run event " + eventId, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
