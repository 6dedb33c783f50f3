package dev.tollgate.verifier.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.cluster.ClusterClient;
import dev.tollgate.verifier.decide.TriggerFreshness;
import dev.tollgate.verifier.handling.TriggerHandler;
import dev.tollgate.verifier.launch.RunLauncher;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.TestEventKeys;
import dev.tollgate.verifier.testing.TriggerMessages;
import dev.tollgate.verifier.verify.VerificationOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer checks who wrote each trigger record before reading it: the exact value bytes and
 * headers as received, under the trusted gateway keys. The verifier's parts are real; the
 * verification port counts whether anything of a refused record got as far as the registry.
 */
class TriggerConsumerAuthenticityTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger asked = new AtomicInteger();
  private TriggerConsumer consumer;

  @BeforeEach
  void consumer() throws Exception {
    consumer = consumer(Clock.systemUTC());
  }

  private TriggerConsumer consumer(Clock deciderClock) throws Exception {
    PolicySet policies =
        new PolicySet(
            Optional.of(
                Path.of(
                    TriggerConsumerAuthenticityTest.class
                        .getResource("/inmemory/policies")
                        .toURI())),
            Duration.ofSeconds(1));
    assertThat(policies.reload()).as(policies.errors().toString()).isTrue();
    VerifierConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(VerifierConfig.class)
            .build()
            .getConfigMapping(VerifierConfig.class);
    TriggerHandler handler =
        new TriggerHandler(
            policies,
            new Approvals(),
            policy -> {
              asked.incrementAndGet();
              return new VerificationOutcome.Interrupted();
            },
            new RunLauncher(new ClusterClient(config), config),
            new TriggerFreshness(Duration.ofHours(1), Duration.ofMinutes(5)),
            deciderClock);
    return new TriggerConsumer(handler, TestEventKeys.gateways(), Clock.systemUTC(), meters);
  }

  /** A writer's push that the policy in {@code inmemory/policies} applies to. */
  private static TriggerEvent matching() {
    return TriggerMessages.push("acme/fast-authenticity", TriggerEvent.Permission.WRITE);
  }

  @Test
  void onTrigger_unsignedRecord_errorSignatureInvalidUnderAnIdOfItsOwnAndCounted() {
    TriggerEvent trigger = matching();
    Message<byte[]> unsigned =
        TriggerMessages.of(
            trigger.repository(), CanonicalJson.bytes(trigger), TriggerMessages.headers(trigger));

    DecisionEvent d = consumer.onTrigger(unsigned).getPayload();

    assertRefused(d, "it is unsigned");
    assertThat(asked).as("nothing of a refused record reaches the registry").hasValue(0);
    assertThat(d.reasons().get(0).message()).contains("claiming trigger id " + trigger.triggerId());
    assertThat(d.triggerId()).startsWith("external:unauthenticated@tollgate.triggers.v1-0@");
    assertThat(d.decisionId()).isNotEqualTo(Ids.decision(trigger.triggerId()));
    assertThat(d.repository()).isNull();
    assertThat(count("unsigned")).isEqualTo(1.0);
    assertThat(count("unknown-key") + count("invalid")).isZero();
  }

  @Test
  void onTrigger_signedByAnUntrustedKey_errorNamingTheKeyId() {
    TriggerEvent trigger = matching();
    byte[] value = CanonicalJson.bytes(trigger);
    Headers headers = TriggerMessages.headers(trigger);
    EventSignatures.sign(headers, value, TestEventKeys.stranger());

    DecisionEvent d =
        consumer.onTrigger(TriggerMessages.of(trigger.repository(), value, headers)).getPayload();

    assertRefused(d, "signed by key id " + TestEventKeys.stranger().keyId());
    assertThat(asked).hasValue(0);
    assertThat(count("unknown-key")).isEqualTo(1.0);
  }

  @Test
  void onTrigger_genuineCopiedWithNewIdAndForgedSender_errorAlteredAndNextGenuineDecided()
      throws Exception {
    TriggerEvent genuine = matching();
    byte[] value = CanonicalJson.bytes(genuine);
    Headers headers = TriggerMessages.headers(genuine);
    TestEventKeys.signAsGateway(headers, value);
    // As an attacker with the console producer would: a new delivery id and a sender of choice,
    // every header of the genuine record copied.
    String delivery = UUID.randomUUID().toString();
    ObjectNode forged = (ObjectNode) Json.readTree(value);
    forged.put("triggerId", Ids.githubTrigger(delivery));
    ((ObjectNode) forged.path("github")).put("deliveryId", delivery);
    ((ObjectNode) forged.path("sender")).put("login", "forged-admin");
    headers.remove(KafkaCloudEvents.ID);
    headers.add(KafkaCloudEvents.ID, Ids.githubTrigger(delivery).getBytes(StandardCharsets.UTF_8));

    DecisionEvent d =
        consumer
            .onTrigger(
                TriggerMessages.of(genuine.repository(), CanonicalJson.bytes(forged), headers))
            .getPayload();
    int askedForForgery = asked.get();
    DecisionEvent next = consumer.onTrigger(TriggerMessages.of(matching())).getPayload();

    assertRefused(d, "altered or forged");
    assertThat(d.reasons().get(0).message())
        .contains("under gateway key " + TestEventKeys.gateway().keyId())
        .doesNotContain("forged-admin");
    assertThat(count("invalid")).isEqualTo(1.0);
    assertThat(askedForForgery).isZero();
    // The genuine one that follows goes as far as the registry (which answers "interrupted").
    assertThat(next.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.INTERRUPTED.code());
    assertThat(asked).hasValue(1);
  }

  @Test
  void onTrigger_signedAndOfNow_decidedAsUsual() {
    TriggerEvent trigger = TriggerMessages.push("acme/other", TriggerEvent.Permission.WRITE);

    DecisionEvent d = consumer.onTrigger(TriggerMessages.of(trigger)).getPayload();

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
    assertThat(d.triggerId()).isEqualTo(trigger.triggerId());
    assertThat(count("unsigned") + count("unknown-key") + count("invalid")).isZero();
  }

  @Test
  void onTrigger_genuineButTwoHoursOld_errorTriggerStaleAndNothingAsked() throws Exception {
    TriggerConsumer later = consumer(Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));
    TriggerEvent trigger = matching();

    DecisionEvent d = later.onTrigger(TriggerMessages.of(trigger)).getPayload();

    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(d.triggerId()).isEqualTo(trigger.triggerId());
    assertThat(d.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.TRIGGER_STALE.code());
    assertThat(d.reasons().get(0).remediation()).contains("Trigger again at the source");
    assertThat(asked).hasValue(0);
  }

  private void assertRefused(DecisionEvent d, String why) {
    assertThat(d.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(d.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.TRIGGER_SIGNATURE_INVALID.code());
    assertThat(d.reasons().get(0).message()).contains("not written by the gateway", why);
    assertThat(d.policy()).isNull();
    assertThat(d.pipelineRun()).isNull();
  }

  private double count(String why) {
    return meters.get(TriggerConsumer.UNAUTHENTICATED).tag("why", why).counter().count();
  }
}
