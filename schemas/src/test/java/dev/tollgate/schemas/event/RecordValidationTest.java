package dev.tollgate.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.json.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordValidationTest {

  private static final Instant NOW = Instant.parse("2026-11-22T09:00:00Z");

  @Test
  void decision_deniedWithoutReason_isRejected() {
    String trigger = Ids.githubTrigger("abc-1");
    assertThatThrownBy(
            () ->
                new DecisionEvent(
                    Ids.decision(trigger),
                    trigger,
                    DecisionEvent.Outcome.DENIED,
                    null,
                    List.of(),
                    null,
                    null,
                    NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("says why");
  }

  @Test
  void decision_admittedWithoutPipelineRun_isRejected() {
    String trigger = Ids.githubTrigger("abc-1");
    assertThatThrownBy(
            () ->
                new DecisionEvent(
                    Ids.decision(trigger),
                    trigger,
                    DecisionEvent.Outcome.ADMITTED,
                    null,
                    List.of(),
                    new DecisionEvent.PolicyRef("p", "1"),
                    null,
                    NOW))
        .hasMessageContaining("pipelineRun");
  }

  @Test
  void decision_admittedWithViolationsInEnforceMode_isRejected() {
    String trigger = Ids.githubTrigger("abc-1");
    assertThatThrownBy(
            () ->
                new DecisionEvent(
                    Ids.decision(trigger),
                    trigger,
                    DecisionEvent.Outcome.ADMITTED,
                    null,
                    List.of(),
                    new DecisionEvent.PolicyRef("p", "1"),
                    new DecisionEvent.PipelineRunRef(
                        "ns", "n", "r/p@" + Sha256.digest(new byte[0])),
                    NOW,
                    DecisionEvent.Mode.ENFORCE,
                    List.of(new Reason("SIGNATURE_MISSING", "unsigned", "sign it")),
                    null,
                    null))
        .hasMessageContaining("only audit mode");
  }

  @Test
  void pipelineRunRef_tagInsteadOfDigest_isRejected() {
    assertThatThrownBy(() -> new DecisionEvent.PipelineRunRef("ns", "n", "reg/p:latest"))
        .hasMessageContaining("pipelineRun.bundle");
  }

  @Test
  void trigger_deliveryIdWithSlash_isRejected() {
    assertThatThrownBy(() -> Ids.githubTrigger("../../etc"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void read_triggerWithInvalidDigest_throwsMalformedJsonNamingTheField() {
    String json =
        "{\"triggerId\":\"github:a\",\"source\":\"github\",\"receivedAt\":\"2026-11-22T09:00:00Z\","
            + "\"event\":\"push\",\"github\":{\"deliveryId\":\"a\"},\"payloadDigest\":\"md5:x\","
            + "\"payloadSize\":1,\"payloadTruncated\":false}";

    assertThatThrownBy(() -> Json.read(json.getBytes(StandardCharsets.UTF_8), TriggerEvent.class))
        .isInstanceOf(MalformedJsonException.class)
        .hasMessageContaining("payloadDigest");
  }

  @Test
  void decisionId_isDerivedFromTriggerIdOnly() {
    String trigger = Ids.githubTrigger("72d3162e-cc78-11e3-81ab-4c9367dc0958");
    String expected =
        "dec-"
            + Sha256.hex(("tollgate.decision.v1\0" + trigger).getBytes(StandardCharsets.UTF_8))
                .substring(0, 32);

    assertThat(Ids.decision(trigger)).isEqualTo(expected).isEqualTo(Ids.decision(trigger));
    assertThat(Ids.decision(Ids.githubTrigger("other"))).isNotEqualTo(expected);
  }

  @Test
  void scheduleTrigger_namesScheduleAndInstant() {
    assertThat(Ids.scheduleTrigger("nightly", Instant.parse("2026-11-22T02:00:00Z")))
        .isEqualTo("schedule:nightly@2026-11-22T02:00:00Z");
  }
}
