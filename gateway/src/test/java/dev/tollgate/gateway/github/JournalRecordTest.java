package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.Fixtures;
import dev.tollgate.gateway.emit.EventSigner;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.github.JournalRecord.Accepted;
import dev.tollgate.gateway.github.JournalRecord.Genuine;
import dev.tollgate.gateway.github.JournalRecord.Reason;
import dev.tollgate.gateway.github.JournalRecord.Unauthenticated;
import dev.tollgate.gateway.github.JournalRecord.Unreadable;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.signing.EventKeyRing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The check every delivery journal record passes before it counts, without a broker. */
class JournalRecordTest {

  private static final String TOPIC = "tollgate.deliveries.v1";
  private static final String TRIGGER = "github:3f1c7a2e-0000-4000-8000-000000000001@4711";
  private static final String BODY = "sha256:" + "a".repeat(64);
  private static final Instant ACCEPTED_AT = Instant.parse("2026-12-07T12:00:00Z");

  private static final EventSigner GATEWAY =
      new EventSigner(Optional.of(Fixtures.testResource(Fixtures.SIGNING_KEY).toString()));
  private static final EventSigner OTHER =
      new EventSigner(Optional.of(Fixtures.testResource(Fixtures.OTHER_KEY).toString()));

  private static EventKeyRing gatewayOnly() {
    return EventKeyRing.of("gateway", List.of(GATEWAY.publicKey()));
  }

  private static ProducerRecord<String, byte[]> signed(EventSigner signer) {
    return JournalRecord.signed(TOPIC, new Accepted(TRIGGER, BODY, ACCEPTED_AT), signer);
  }

  private static JournalRecord.Read read(ProducerRecord<String, byte[]> r, EventKeyRing ring) {
    return JournalRecord.read(r.key(), r.headers(), r.value(), ring);
  }

  @Test
  void read_signedByTheGateway_isGenuineWithTheSignedTime() {
    ProducerRecord<String, byte[]> r = signed(GATEWAY);

    assertThat(read(r, gatewayOnly()))
        .isEqualTo(new Genuine(new Accepted(TRIGGER, BODY, ACCEPTED_AT), GATEWAY.keyId()));
    assertThat(r.key()).isEqualTo(TRIGGER);
    assertThat(new String(r.value(), StandardCharsets.US_ASCII)).isEqualTo(BODY);
  }

  @Test
  void read_signedByAnotherReplicaWhoseKeyIsListed_isGenuine() {
    EventKeyRing both = EventKeyRing.of("gateway", List.of(GATEWAY.publicKey(), OTHER.publicKey()));

    assertThat(read(signed(OTHER), both)).isInstanceOf(Genuine.class);
  }

  @Test
  void read_unsigned_isUnauthenticatedUnsigned() {
    assertThat(
            JournalRecord.read(
                TRIGGER,
                new RecordHeaders(),
                BODY.getBytes(StandardCharsets.US_ASCII),
                gatewayOnly()))
        .extracting(r -> ((Unauthenticated) r).reason())
        .isEqualTo(Reason.UNSIGNED);
    assertThat(JournalRecord.read(TRIGGER, null, null, gatewayOnly()))
        .extracting(r -> ((Unauthenticated) r).reason())
        .isEqualTo(Reason.UNSIGNED);
  }

  @Test
  void read_signedByAKeyNotTrusted_isUnauthenticatedUnknownKey() {
    assertThat(read(signed(OTHER), gatewayOnly()))
        .isInstanceOf(Unauthenticated.class)
        .extracting(r -> ((Unauthenticated) r).reason())
        .isEqualTo(Reason.UNKNOWN_KEY);
  }

  @Test
  void read_valueAltered_isUnauthenticatedInvalid() {
    ProducerRecord<String, byte[]> r = signed(GATEWAY);
    byte[] other = ("sha256:" + "b".repeat(64)).getBytes(StandardCharsets.US_ASCII);

    assertThat(JournalRecord.read(TRIGGER, r.headers(), other, gatewayOnly()))
        .extracting(x -> ((Unauthenticated) x).reason())
        .isEqualTo(Reason.INVALID);
  }

  @Test
  void read_timeAltered_isUnauthenticatedInvalid() {
    ProducerRecord<String, byte[]> r = signed(GATEWAY);
    Headers later = new RecordHeaders(r.headers().toArray());
    later.remove(KafkaCloudEvents.TIME);
    later.add(KafkaCloudEvents.TIME, "2026-12-09T12:00:00Z".getBytes(StandardCharsets.UTF_8));

    assertThat(JournalRecord.read(TRIGGER, later, r.value(), gatewayOnly()))
        .extracting(x -> ((Unauthenticated) x).reason())
        .isEqualTo(Reason.INVALID);
  }

  @Test
  void read_genuineRecordCopiedUnderAnotherKey_isUnauthenticatedMisplaced() {
    ProducerRecord<String, byte[]> r = signed(GATEWAY);

    assertThat(JournalRecord.read(TRIGGER + "0", r.headers(), r.value(), gatewayOnly()))
        .extracting(x -> ((Unauthenticated) x).reason())
        .isEqualTo(Reason.MISPLACED);
  }

  @Test
  void read_genuineTriggerEventCopiedOntoTheJournal_isUnauthenticatedMisplaced() {
    Headers headers =
        KafkaCloudEvents.headers(
            CloudEventAttributes.of(
                EventType.TRIGGER, TRIGGER, TriggerEmitter.SOURCE, "acme/app", ACCEPTED_AT));
    byte[] value = BODY.getBytes(StandardCharsets.US_ASCII);
    GATEWAY.sign(headers, value);

    assertThat(JournalRecord.read(TRIGGER, headers, value, gatewayOnly()))
        .extracting(x -> ((Unauthenticated) x).reason())
        .isEqualTo(Reason.MISPLACED);
  }

  @Test
  void read_signedButNoDigest_isUnreadable() {
    Headers headers =
        KafkaCloudEvents.headers(
            new CloudEventAttributes(
                TRIGGER, JournalRecord.TYPE, TriggerEmitter.SOURCE, null, ACCEPTED_AT, null));
    byte[] value = "{\"garbage\":true}".getBytes(StandardCharsets.UTF_8);
    GATEWAY.sign(headers, value);

    assertThat(JournalRecord.read(TRIGGER, headers, value, gatewayOnly()))
        .isInstanceOf(Unreadable.class);
  }

  @Test
  void read_signedWithoutTime_isUnreadable() {
    Headers headers =
        KafkaCloudEvents.headers(
            new CloudEventAttributes(
                TRIGGER, JournalRecord.TYPE, TriggerEmitter.SOURCE, null, null, null));
    byte[] value = BODY.getBytes(StandardCharsets.US_ASCII);
    GATEWAY.sign(headers, value);

    assertThat(JournalRecord.read(TRIGGER, headers, value, gatewayOnly()))
        .isInstanceOf(Unreadable.class);
  }

  @Test
  void accepted_valueNotADigest_isRefused() {
    assertThatThrownBy(() -> new Accepted(TRIGGER, "md5:00", ACCEPTED_AT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
