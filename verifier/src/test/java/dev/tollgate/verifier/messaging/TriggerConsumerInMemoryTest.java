package dev.tollgate.verifier.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.schemas.cloudevents.CloudEventAttributes;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.InMemoryMessaging;
import dev.tollgate.verifier.testing.TriggerMessages;
import dev.tollgate.verifier.verify.CachingBundleVerification;
import dev.tollgate.verifier.verify.VerificationOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The verifier's messaging in the fast tier: triggers in and decisions out through SmallRye's
 * in-memory connector, the rest of the service real. The same paths against a real broker are in
 * {@link TriggerConsumerTest}; what needs a registry and a cluster is in the admission tests.
 */
@QuarkusTest
@QuarkusTestResource(value = InMemoryMessaging.class, restrictToAnnotatedClass = true)
class TriggerConsumerInMemoryTest {
  @Inject @Any InMemoryConnector connector;
  @Inject VerifierConfig config;

  private InMemorySink<DecisionEvent> decisions;

  @BeforeEach
  void clear() {
    decisions = connector.sink("decisions");
    decisions.clear();
  }

  @Test
  void onTrigger_noMatchingPolicy_ignoredKeyedByTriggerWithCloudEventHeaders() throws Exception {
    TriggerEvent trigger = TriggerMessages.push("acme/other", TriggerEvent.Permission.WRITE);

    Message<DecisionEvent> out = send(TriggerMessages.of(trigger)).get(0);

    DecisionEvent d = out.getPayload();
    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
    assertThat(d.decisionId()).isEqualTo(Ids.decision(trigger.triggerId()));
    assertThat(d.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.NO_MATCHING_POLICY.code());
    @SuppressWarnings("unchecked") // the channel's keys are strings
    OutgoingKafkaRecordMetadata<String> kafka =
        out.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
    assertThat(kafka.getKey()).isEqualTo(trigger.triggerId());
    CloudEventAttributes ce = KafkaCloudEvents.read(kafka.getHeaders());
    assertThat(ce.id()).isEqualTo(d.decisionId());
    assertThat(ce.type()).isEqualTo(EventType.DECISION.ceType());
    assertThat(ce.subject()).isEqualTo(trigger.triggerId());
  }

  @Test
  void onTrigger_readerUnderWritePolicy_deniedPermissionInsufficientBeforeTheRegistry()
      throws Exception {
    TriggerEvent trigger =
        TriggerMessages.push("acme/fast-" + suffix(), TriggerEvent.Permission.READ);

    DecisionEvent d = send(TriggerMessages.of(trigger)).get(0).getPayload();

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.DENIED);
    assertThat(d.policy().name()).isEqualTo("fast");
    assertThat(d.mode()).isEqualTo(DecisionEvent.Mode.ENFORCE);
    assertThat(d.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.PERMISSION_INSUFFICIENT.code());
    assertThat(d.verification()).isNull();
  }

  @Test
  void onTrigger_unreadableThenReadable_errorUnreadableTriggerThenDecided() throws Exception {
    String badId = Ids.githubTrigger(UUID.randomUUID().toString());
    Message<byte[]> bad =
        TriggerMessages.signed(
            badId,
            "{not json".getBytes(StandardCharsets.UTF_8),
            KafkaCloudEvents.headers(
                CloudEventAttributes.of(
                    EventType.TRIGGER, badId, URI.create("/test"), null, null)));
    TriggerEvent good = TriggerMessages.push("acme/other", TriggerEvent.Permission.WRITE);

    List<Message<DecisionEvent>> out = send(bad, TriggerMessages.of(good));

    assertThat(of(out, badId).outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(of(out, badId).reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.UNREADABLE_TRIGGER.code());
    assertThat(of(out, good.triggerId()).outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
  }

  @Test
  void onTrigger_verificationThrows_errorInternalErrorAndTheChannelGoesOn() throws Exception {
    QuarkusMock.installMockForType(
        new CachingBundleVerification(config, new SimpleMeterRegistry()) {
          @Override
          public VerificationOutcome verify(TriggerPolicy policy) {
            throw new IllegalArgumentException("a bug in verifying " + policy.name());
          }
        },
        CachingBundleVerification.class);
    TriggerEvent poison =
        TriggerMessages.push("acme/fast-" + suffix(), TriggerEvent.Permission.WRITE);
    TriggerEvent next = TriggerMessages.push("acme/fast-" + suffix(), TriggerEvent.Permission.READ);

    List<Message<DecisionEvent>> out = send(TriggerMessages.of(poison), TriggerMessages.of(next));

    DecisionEvent failed = of(out, poison.triggerId());
    assertThat(failed.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(failed.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.INTERNAL_ERROR.code());
    assertThat(failed.pipelineRun()).isNull();
    assertThat(of(out, next.triggerId()).outcome()).isEqualTo(DecisionEvent.Outcome.DENIED);
  }

  @Test
  void onTrigger_unsignedRecordThenSigned_errorSignatureInvalidThenDecided() throws Exception {
    TriggerEvent forged =
        TriggerMessages.push("acme/fast-" + suffix(), TriggerEvent.Permission.ADMIN);
    Message<byte[]> unsigned =
        TriggerMessages.of(
            forged.repository(), CanonicalJson.bytes(forged), TriggerMessages.headers(forged));
    TriggerEvent genuine = TriggerMessages.push("acme/other", TriggerEvent.Permission.WRITE);

    List<Message<DecisionEvent>> out = send(unsigned, TriggerMessages.of(genuine));

    DecisionEvent refused = otherThan(out, genuine.triggerId());
    assertThat(refused.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(refused.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.TRIGGER_SIGNATURE_INVALID.code());
    assertThat(refused.triggerId()).startsWith("external:unauthenticated@");
    assertThat(refused.decisionId()).isNotEqualTo(Ids.decision(forged.triggerId()));
    assertThat(of(out, genuine.triggerId()).outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
  }

  /**
   * Sends the messages and waits for one decision each. Triggers are decided concurrently: the
   * decisions come in no particular order.
   */
  @SafeVarargs
  private List<Message<DecisionEvent>> send(Message<byte[]>... messages) {
    for (Message<byte[]> m : messages) {
      connector.<Message<byte[]>>source("triggers").send(m);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> decisions.received().size() >= messages.length);
    return List.copyOf(decisions.received());
  }

  /** The one decision for {@code triggerId}. */
  private static DecisionEvent of(List<Message<DecisionEvent>> out, String triggerId) {
    List<DecisionEvent> mine =
        out.stream().map(Message::getPayload).filter(d -> d.triggerId().equals(triggerId)).toList();
    assertThat(mine).hasSize(1);
    return mine.get(0);
  }

  /** The one decision not for {@code triggerId}. */
  private static DecisionEvent otherThan(List<Message<DecisionEvent>> out, String triggerId) {
    List<DecisionEvent> others =
        out.stream()
            .map(Message::getPayload)
            .filter(d -> !d.triggerId().equals(triggerId))
            .toList();
    assertThat(others).hasSize(1);
    return others.get(0);
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
