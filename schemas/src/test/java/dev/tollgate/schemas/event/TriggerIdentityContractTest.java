package dev.tollgate.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trigger's later components (identity, pull request, approval, schedule, caller, parameters):
 * they validate against the schema, round-trip, and leave older triggers' JSON as it was.
 */
class TriggerIdentityContractTest {

  private static final Instant NOW = Instant.parse("2026-11-22T09:00:00.123Z");
  private static final String SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
  private static final String DELIVERY = "5e6f7a80-6b90-11ef-8c3d-2b1a0f9e8d7c";

  @Test
  void serialize_okToTestWithVerifiedIdentity_validatesAndRoundTrips() throws Exception {
    TriggerEvent trigger =
        github(
            TriggerEvent.Identity.verified("MEMBER", true, TriggerEvent.Permission.MAINTAIN),
            new TriggerEvent.PullRequest(2, "drive-by/payments"),
            new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 492700400));

    JsonNode written = Json.readTree(CanonicalJson.bytes(trigger));

    assertThat(SchemaContractTest.validate(EventType.TRIGGER, written)).isEmpty();
    assertThat(written.at("/identity/permission").asText()).isEqualTo("maintain");
    assertThat(written.at("/approval/kind").asText()).isEqualTo("ok-to-test");
    TriggerEvent read = Json.read(CanonicalJson.bytes(trigger), TriggerEvent.class);
    assertThat(read.identity()).isEqualTo(trigger.identity());
    assertThat(read.approval()).isEqualTo(trigger.approval());
    assertThat(CanonicalJson.bytes(read)).isEqualTo(CanonicalJson.bytes(trigger));
  }

  @Test
  void serialize_bareApproval_keepsTheOlderShape() throws Exception {
    TriggerEvent trigger =
        github(
            TriggerEvent.Identity.verified("MEMBER", true, TriggerEvent.Permission.WRITE),
            new TriggerEvent.PullRequest(2, "drive-by/payments"),
            new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 7));

    JsonNode written = Json.readTree(CanonicalJson.bytes(trigger));

    assertThat(written.path("approval").size()).isEqualTo(2);
    assertThat(trigger.approval().bound()).isTrue();
  }

  @Test
  void serialize_refusedApprovalNamingASha_validatesAndRoundTrips() throws Exception {
    TriggerEvent trigger =
        github(
            TriggerEvent.Identity.verified("MEMBER", true, TriggerEvent.Permission.WRITE),
            new TriggerEvent.PullRequest(2, "drive-by/payments"),
            new TriggerEvent.Approval(
                TriggerEvent.Approval.Kind.OK_TO_TEST,
                9,
                "0123abc",
                TriggerEvent.Approval.HEAD_NOT_REQUESTED_SHA));

    JsonNode written = Json.readTree(CanonicalJson.bytes(trigger));

    assertThat(SchemaContractTest.validate(EventType.TRIGGER, written)).isEmpty();
    assertThat(written.at("/approval/requestedSha").asText()).isEqualTo("0123abc");
    assertThat(written.at("/approval/refused").asText()).isEqualTo("HEAD_NOT_REQUESTED_SHA");
    TriggerEvent read = Json.read(CanonicalJson.bytes(trigger), TriggerEvent.class);
    assertThat(read.approval()).isEqualTo(trigger.approval());
    assertThat(read.approval().bound()).isFalse();
  }

  @Test
  void approval_requestedShaNotLowercaseHex_rejected() {
    for (String sha : new String[] {"0123ab", "0123ABC", "0123abg", "a".repeat(65)}) {
      assertThatThrownBy(
              () -> new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 1, sha, null))
          .as(sha)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void serialize_unverifiedIdentity_validatesWithReason() throws Exception {
    TriggerEvent trigger =
        github(TriggerEvent.Identity.unverified(null, false, "GITHUB_API_UNAVAILABLE"), null, null);

    JsonNode written = Json.readTree(CanonicalJson.bytes(trigger));

    assertThat(SchemaContractTest.validate(EventType.TRIGGER, written)).isEmpty();
    assertThat(written.at("/identity/verified").asBoolean(true)).isFalse();
  }

  @Test
  void serialize_oldShapeTrigger_omitsEveryNewMember() throws Exception {
    TriggerEvent trigger = github(null, null, null);

    String json = new String(CanonicalJson.bytes(trigger), StandardCharsets.UTF_8);

    assertThat(json)
        .doesNotContain("identity", "pullRequest", "approval", "schedule", "caller", "parameters");
  }

  @Test
  void serialize_scheduleAndExternal_validate() throws Exception {
    Instant tick = Instant.parse("2026-11-22T02:00:00Z");
    TriggerEvent scheduled =
        new TriggerEvent(
            Ids.scheduleTrigger("nightly", tick),
            TriggerEvent.Source.SCHEDULE,
            NOW,
            "schedule",
            null,
            "acme/payments",
            "refs/heads/main",
            null,
            null,
            null,
            null,
            null,
            Sha256.digest(new byte[0]),
            0,
            null,
            false,
            null,
            null,
            null,
            new TriggerEvent.Schedule("nightly", tick),
            null,
            Map.of("b", "2", "a", "1"));
    TriggerEvent external =
        new TriggerEvent(
            "external:nightly@7f0c3a52-2f3e-4b7d-9d1a-6c5b4a392817",
            TriggerEvent.Source.EXTERNAL,
            NOW,
            "external",
            null,
            "acme/payments",
            null,
            null,
            null,
            null,
            null,
            null,
            Sha256.digest(new byte[0]),
            0,
            null,
            false,
            null,
            null,
            null,
            null,
            new TriggerEvent.Caller(
                "nightly", "https://issuer.example", "system:serviceaccount:ci:cron", "7f0c"),
            null);

    for (TriggerEvent trigger : new TriggerEvent[] {scheduled, external}) {
      JsonNode written = Json.readTree(CanonicalJson.bytes(trigger));
      assertThat(SchemaContractTest.validate(EventType.TRIGGER, written))
          .as("%s", written)
          .isEmpty();
      TriggerEvent read = Json.read(CanonicalJson.bytes(trigger), TriggerEvent.class);
      assertThat(read.schedule()).isEqualTo(trigger.schedule());
      assertThat(read.caller()).isEqualTo(trigger.caller());
      assertThat(read.parameters()).isEqualTo(trigger.parameters());
      assertThat(CanonicalJson.bytes(read)).isEqualTo(CanonicalJson.bytes(trigger));
    }
  }

  @Test
  void identity_verifiedWithoutPermission_isRefused() {
    assertThatThrownBy(() -> new TriggerEvent.Identity(null, null, null, true, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("verified identity has a permission");
  }

  @Test
  void identity_unverifiedWithoutReason_isRefused() {
    assertThatThrownBy(() -> new TriggerEvent.Identity("MEMBER", null, null, false, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identity.unverifiedReason");
  }

  @Test
  void approval_withoutHeadSha_isRefused() {
    assertThatThrownBy(
            () ->
                new TriggerEvent(
                    Ids.githubTrigger(DELIVERY),
                    TriggerEvent.Source.GITHUB,
                    NOW,
                    "issue_comment",
                    "created",
                    "acme/payments",
                    null,
                    null,
                    null,
                    null,
                    null,
                    new TriggerEvent.GitHubDelivery(DELIVERY, null, null),
                    Sha256.digest(new byte[0]),
                    0,
                    null,
                    true,
                    null,
                    new TriggerEvent.PullRequest(2, null),
                    new TriggerEvent.Approval(TriggerEvent.Approval.Kind.OK_TO_TEST, 1),
                    null,
                    null,
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("approval");
  }

  @Test
  void schedule_onGithubSource_isRefused() {
    assertThatThrownBy(
            () ->
                new TriggerEvent(
                    Ids.githubTrigger(DELIVERY),
                    TriggerEvent.Source.GITHUB,
                    NOW,
                    "push",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    new TriggerEvent.GitHubDelivery(DELIVERY, null, null),
                    Sha256.digest(new byte[0]),
                    0,
                    null,
                    true,
                    null,
                    null,
                    null,
                    new TriggerEvent.Schedule("nightly", NOW),
                    null,
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule");
  }

  private static TriggerEvent github(
      TriggerEvent.Identity identity,
      TriggerEvent.PullRequest pullRequest,
      TriggerEvent.Approval approval) {
    return new TriggerEvent(
        Ids.githubTrigger(DELIVERY),
        TriggerEvent.Source.GITHUB,
        NOW,
        "issue_comment",
        "created",
        "acme/payments",
        null,
        null,
        null,
        SHA,
        new TriggerEvent.Sender("maintainer", 21031067),
        new TriggerEvent.GitHubDelivery(DELIVERY, "292093104", null),
        Sha256.digest(new byte[] {1}),
        1,
        null,
        true,
        identity,
        pullRequest,
        approval,
        null,
        null,
        null);
  }
}
