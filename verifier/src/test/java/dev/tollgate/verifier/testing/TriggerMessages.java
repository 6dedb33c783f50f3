package dev.tollgate.verifier.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Trigger records as the Kafka connector hands them to the verifier: the CloudEvents headers and
 * the position in {@link IncomingKafkaRecordMetadata}, the data as bytes. For tests that call the
 * consumer directly or feed it through the in-memory connector.
 */
public final class TriggerMessages {
  private static final AtomicLong OFFSETS = new AtomicLong();

  private TriggerMessages() {}

  /** A trigger event as the gateway writes it, signed with the test gateway key. */
  public static Message<byte[]> of(TriggerEvent trigger) {
    return signed(trigger.repository(), CanonicalJson.bytes(trigger), headers(trigger));
  }

  /** The CloudEvents headers the gateway puts on a trigger (unsigned). */
  public static Headers headers(TriggerEvent trigger) {
    return KafkaCloudEvents.headers(
        CloudEventAttributes.of(
            EventType.TRIGGER,
            trigger.triggerId(),
            URI.create("/tollgate/gateway"),
            trigger.repository(),
            trigger.receivedAt()));
  }

  /** Any bytes under any headers, signed with the test gateway key, at the next offset. */
  public static Message<byte[]> signed(String key, byte[] value, Headers headers) {
    TestEventKeys.signAsGateway(headers, value);
    return of(key, value, headers);
  }

  /** Any bytes under any headers as they are, at the next offset of partition 0. */
  public static Message<byte[]> of(String key, byte[] value, Headers headers) {
    ConsumerRecord<String, byte[]> record =
        new ConsumerRecord<>(
            EventType.TRIGGER.defaultTopic(),
            0,
            OFFSETS.getAndIncrement(),
            System.currentTimeMillis(),
            TimestampType.CREATE_TIME,
            key == null ? -1 : key.length(),
            value.length,
            key,
            value,
            headers,
            Optional.empty());
    return Message.of(value).addMetadata(new IncomingKafkaRecordMetadata<>(record, "triggers"));
  }

  /** A push to {@code main} of {@code repo} by a verified sender with {@code permission}. */
  public static TriggerEvent push(String repo, TriggerEvent.Permission permission) {
    String delivery = UUID.randomUUID().toString();
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.putObject("repository").put("full_name", repo);
    return new TriggerEvent(
        Ids.githubTrigger(delivery),
        TriggerEvent.Source.GITHUB,
        Instant.now(),
        "push",
        null,
        repo,
        "refs/heads/main",
        null,
        null,
        "c".repeat(40),
        new TriggerEvent.Sender("octocat", 1),
        new TriggerEvent.GitHubDelivery(delivery, null, null),
        Sha256.digest(new byte[0]),
        0,
        payload,
        false,
        TriggerEvent.Identity.verified("MEMBER", false, permission),
        null,
        null,
        null,
        null,
        null);
  }
}
