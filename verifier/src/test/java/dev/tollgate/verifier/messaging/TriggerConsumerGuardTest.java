package dev.tollgate.verifier.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.event.DecisionEvent;
import dev.tollgate.schemas.event.Ids;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.cluster.ClusterClient;
import dev.tollgate.verifier.handling.TriggerHandler;
import dev.tollgate.verifier.launch.RunLauncher;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.PolicySet;
import dev.tollgate.verifier.reason.DecisionReason;
import dev.tollgate.verifier.testing.TestEventKeys;
import dev.tollgate.verifier.testing.TriggerMessages;
import dev.tollgate.verifier.verify.BundleVerification;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-trigger guard: whatever escapes deciding one trigger becomes that trigger's {@code error}
 * decision, and the next trigger is decided as usual; only a VirtualMachineError goes up. The
 * verifier's parts are real; the one port that throws is the verification.
 */
class TriggerConsumerGuardTest {
  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger asked = new AtomicInteger();

  private TriggerConsumer consumer(BundleVerification verification) throws Exception {
    PolicySet policies =
        new PolicySet(
            Optional.of(
                Path.of(TriggerConsumerGuardTest.class.getResource("/inmemory/policies").toURI())),
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
              return verification.verify(policy);
            },
            new RunLauncher(new ClusterClient(config), config),
            TriggerHandler.freshness(config),
            Clock.systemUTC());
    return new TriggerConsumer(
        handler, TestEventKeys.gateways(), Clock.fixed(NOW, ZoneOffset.UTC), meters);
  }

  /** A trigger the policy in {@code inmemory/policies} applies to, by a writer: verified. */
  private static TriggerEvent matching() {
    return TriggerMessages.push("acme/fast-guard", TriggerEvent.Permission.WRITE);
  }

  @Test
  void onTrigger_verificationThrowsIllegalArgument_errorInternalErrorAndNextTriggerDecided()
      throws Exception {
    TriggerConsumer consumer =
        consumer(
            policy -> {
              throw new IllegalArgumentException("token=s3cr3t in an unexpected answer");
            });
    TriggerEvent poison = matching();

    DecisionEvent failed = consumer.onTrigger(TriggerMessages.of(poison)).getPayload();
    DecisionEvent next =
        consumer
            .onTrigger(
                TriggerMessages.of(
                    TriggerMessages.push("acme/other", TriggerEvent.Permission.WRITE)))
            .getPayload();

    assertThat(asked).hasValue(1);
    assertThat(failed.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(failed.triggerId()).isEqualTo(poison.triggerId());
    assertThat(failed.decisionId()).isEqualTo(Ids.decision(poison.triggerId()));
    assertThat(failed.pipelineRun()).isNull();
    assertThat(failed.decidedAt()).isEqualTo(NOW);
    assertThat(failed.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.INTERNAL_ERROR.code());
    assertThat(failed.reasons().get(0).message())
        .contains("IllegalArgumentException")
        .doesNotContain("s3cr3t");
    assertThat(failed.reasons().get(0).remediation())
        .isEqualTo(DecisionReason.INTERNAL_ERROR.remediation().orElseThrow());
    assertThat(meters.get(TriggerConsumer.DECISIONS).tag("outcome", "error").counter().count())
        .isEqualTo(1.0);
    assertThat(next.outcome()).isEqualTo(DecisionEvent.Outcome.IGNORED);
    assertThat(next.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.NO_MATCHING_POLICY.code());
  }

  @Test
  void onTrigger_verificationThrowsStackOverflowError_errorInternalError() throws Exception {
    TriggerConsumer consumer =
        consumer(
            policy -> {
              throw new StackOverflowError();
            });

    DecisionEvent failed = consumer.onTrigger(TriggerMessages.of(matching())).getPayload();

    assertThat(failed.outcome()).isEqualTo(DecisionEvent.Outcome.ERROR);
    assertThat(failed.reasons())
        .extracting(Reason::code)
        .containsExactly(DecisionReason.INTERNAL_ERROR.code());
  }

  @Test
  void onTrigger_verificationRunsOutOfMemory_rethrownForTheJvmToHandle() throws Exception {
    TriggerConsumer consumer =
        consumer(
            policy -> {
              throw new OutOfMemoryError("simulated");
            });

    assertThatThrownBy(() -> consumer.onTrigger(TriggerMessages.of(matching())))
        .isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void onTrigger_twoIgnoredAndOneError_oneLatencyTimerPerOutcomeDecided() throws Exception {
    TriggerConsumer consumer =
        consumer(
            policy -> {
              throw new IllegalStateException("the registry client broke");
            });

    consumer.onTrigger(
        TriggerMessages.of(TriggerMessages.push("acme/other", TriggerEvent.Permission.WRITE)));
    consumer.onTrigger(
        TriggerMessages.of(TriggerMessages.push("acme/other", TriggerEvent.Permission.WRITE)));
    consumer.onTrigger(TriggerMessages.of(matching()));

    // Only the outcomes decided have a series, each counting its own decisions.
    assertThat(meters.find(TriggerConsumer.DECISION_LATENCY).timers())
        .extracting(t -> t.getId().getTag("outcome"))
        .containsExactlyInAnyOrder("ignored", "error");
    assertThat(
            meters.get(TriggerConsumer.DECISION_LATENCY).tag("outcome", "ignored").timer().count())
        .isEqualTo(2);
    assertThat(meters.get(TriggerConsumer.DECISION_LATENCY).tag("outcome", "error").timer().count())
        .isEqualTo(1);
  }
}
