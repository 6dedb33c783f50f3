package dev.tollgate.schemas.cloudevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaCloudEventsTest {

  private static final CloudEventAttributes ATTRIBUTES =
      CloudEventAttributes.of(
          EventType.TRIGGER,
          "github:72d3162e-cc78-11e3-81ab-4c9367dc0958",
          URI.create("/tollgate/gateway"),
          "octo-org/hello-world",
          Instant.parse("2026-11-22T09:00:00.5Z"));

  @Test
  void headers_readBack_equalWhatWasWritten() throws Exception {
    assertThat(KafkaCloudEvents.read(KafkaCloudEvents.headers(ATTRIBUTES))).isEqualTo(ATTRIBUTES);
  }

  /**
   * The CloudEvents SDK's own Kafka binding reads what we write: we follow the spec, not ourselves.
   */
  @Test
  void headers_readByCloudEventsSdk_haveTheSameAttributesAndData() {
    byte[] data = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    Headers headers = KafkaCloudEvents.headers(ATTRIBUTES);
    ConsumerRecord<String, byte[]> record =
        new ConsumerRecord<>(
            "tollgate.triggers.v1",
            0,
            0,
            0L,
            TimestampType.CREATE_TIME,
            0,
            data.length,
            "k",
            data,
            headers,
            Optional.empty());

    CloudEvent event = KafkaMessageFactory.createReader(record).toEvent();

    assertThat(event.getSpecVersion().toString()).isEqualTo("1.0");
    assertThat(event.getId()).isEqualTo(ATTRIBUTES.id());
    assertThat(event.getType()).isEqualTo("dev.tollgate.trigger.v1");
    assertThat(event.getSource()).isEqualTo(URI.create("/tollgate/gateway"));
    assertThat(event.getSubject()).isEqualTo("octo-org/hello-world");
    assertThat(event.getTime().toInstant()).isEqualTo(ATTRIBUTES.time());
    assertThat(event.getTime().getOffset()).isEqualTo(ZoneOffset.UTC);
    assertThat(event.getDataContentType()).isEqualTo("application/json");
    assertThat(event.getData().toBytes()).isEqualTo(data);
  }

  @Test
  void read_missingSpecVersion_isNotACloudEvent() {
    Headers headers = KafkaCloudEvents.headers(ATTRIBUTES);
    headers.remove(KafkaCloudEvents.SPEC_VERSION);

    assertThatThrownBy(() -> KafkaCloudEvents.read(headers))
        .isInstanceOf(NotACloudEventException.class)
        .hasMessageContaining("ce_specversion is missing");
  }

  @Test
  void read_noHeaders_isNotACloudEvent() {
    assertThatThrownBy(() -> KafkaCloudEvents.read(new RecordHeaders()))
        .isInstanceOf(NotACloudEventException.class);
  }

  @Test
  void read_badTime_isNotACloudEvent() {
    Headers headers = KafkaCloudEvents.headers(ATTRIBUTES);
    headers.remove(KafkaCloudEvents.TIME);
    headers.add(KafkaCloudEvents.TIME, "yesterday".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> KafkaCloudEvents.read(headers)).hasMessageContaining("ce_time");
  }
}
