package dev.tollgate.gateway.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.signing.EventKeyRing;
import dev.tollgate.schemas.signing.EventPublicKey;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.schemas.signing.EventSigningKey;
import java.net.URI;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only events written by the component trusted for them are reported. The test "verifier" signs
 * with the other test key; the gateway's key is trusted for triggers only.
 */
class AuthenticatedEventsTest {

  private EventSigningKey verifier;
  private EventSigningKey gateway;
  private AuthenticatedEvents events;

  @BeforeEach
  void keys() throws Exception {
    verifier = EventSigningKey.read(Fixtures.testResource("signing/other-events.pem"));
    gateway = EventSigningKey.read(Fixtures.testResource(Fixtures.SIGNING_KEY));
    EventPublicKey gatewayPublic =
        EventPublicKey.read(Fixtures.testResource(Fixtures.SIGNING_PUBLIC_KEY));
    events =
        new AuthenticatedEvents(
            EventKeyRing.of("gateway", List.of(gatewayPublic)),
            EventKeyRing.of("verifier", List.of(verifier.publicKey())),
            EventKeyRing.of("run watch", List.of()));
  }

  @Test
  void read_decisionSignedByVerifier_isRead() throws Exception {
    byte[] value = Json.writeBytes(ReportEvents.denied());
    Headers headers = headers(EventType.DECISION, value, verifier);

    DecisionEvent decision = events.read(EventType.DECISION, DecisionEvent.class, headers, value);

    assertThat(decision).isEqualTo(ReportEvents.denied());
  }

  @Test
  void read_decisionSignedByGateway_isRefusedAsUnknownKey() {
    byte[] value = Json.writeBytes(ReportEvents.denied());
    Headers headers = headers(EventType.DECISION, value, gateway);

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () -> events.read(EventType.DECISION, DecisionEvent.class, headers, value));

    assertThat(refused.reason()).isEqualTo("UNKNOWN_KEY");
  }

  @Test
  void read_unsignedDecision_isRefused() {
    byte[] value = Json.writeBytes(ReportEvents.denied());
    Headers headers = headers(EventType.DECISION, value, null);

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () -> events.read(EventType.DECISION, DecisionEvent.class, headers, value));

    assertThat(refused.reason()).isEqualTo("UNSIGNED");
  }

  @Test
  void read_decisionAlteredAfterSigning_isRefused() {
    byte[] signed = Json.writeBytes(ReportEvents.denied());
    Headers headers = headers(EventType.DECISION, signed, verifier);
    byte[] altered = Json.writeBytes(ReportEvents.admitted());

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () -> events.read(EventType.DECISION, DecisionEvent.class, headers, altered));

    assertThat(refused.reason()).isEqualTo("SIGNATURE_INVALID");
  }

  @Test
  void read_triggerTypeOnDecisionsTopic_isRefusedAsWrongType() {
    byte[] value = Json.writeBytes(ReportEvents.trigger());
    Headers headers = headers(EventType.TRIGGER, value, verifier);

    RefusedException refused =
        catchThrowableOfType(
            RefusedException.class,
            () -> events.read(EventType.DECISION, DecisionEvent.class, headers, value));

    assertThat(refused.reason()).isEqualTo("WRONG_TYPE");
  }

  @Test
  void trusts_runWatchWithoutKeys_isFalse() {
    assertThat(events.trusts(EventType.RUN)).isFalse();
    assertThat(events.trusts(EventType.DECISION)).isTrue();
  }

  private static Headers headers(EventType type, byte[] value, EventSigningKey key) {
    Headers headers =
        KafkaCloudEvents.headers(
            CloudEventAttributes.of(
                type,
                "id-1",
                URI.create("urn:tollgate:test"),
                GitHubChecksStubs.REPOSITORY,
                ReportEvents.AT));
    if (key != null) {
      EventSignatures.sign(headers, value, key);
    }
    return headers;
  }
}
