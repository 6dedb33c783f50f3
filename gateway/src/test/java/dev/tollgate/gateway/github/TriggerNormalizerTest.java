package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TriggerNormalizerTest {

  private static final Instant RECEIVED = Instant.parse("2026-11-22T09:14:03.512Z");
  private static final String DELIVERY = "f9b2a3c0-6b8e-11ef-8a8e-1e2d3c4b5a69";

  private static final String MERGE_GROUP = "github/merge_group_checks_requested.payload.json";

  private final TriggerNormalizer normalizer = new TriggerNormalizer(65536);

  @Test
  void normalize_push_liftsRefShasAndSender() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");

    TriggerEvent trigger = normalizer.normalize(headers("push", "292093104"), body, RECEIVED);

    assertThat(trigger.triggerId())
        .as("the hook is part of the trigger id")
        .isEqualTo("github:" + DELIVERY + "@292093104");
    assertThat(trigger.source()).isEqualTo(TriggerEvent.Source.GITHUB);
    assertThat(trigger.receivedAt()).isEqualTo(RECEIVED);
    assertThat(trigger.event()).isEqualTo("push");
    assertThat(trigger.action()).isNull();
    assertThat(trigger.repository()).isEqualTo("Codertocat/Hello-World");
    assertThat(trigger.ref()).isEqualTo("refs/tags/simple-tag");
    assertThat(trigger.before()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assertThat(trigger.after()).isEqualTo("0000000000000000000000000000000000000000");
    assertThat(trigger.headSha()).isEqualTo(trigger.after());
    assertThat(trigger.sender()).isEqualTo(new TriggerEvent.Sender("Codertocat", 21031067));
    assertThat(trigger.github())
        .isEqualTo(new TriggerEvent.GitHubDelivery(DELIVERY, "292093104", null));
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(body));
    assertThat(trigger.payloadSize()).isEqualTo(body.length);
    assertThat(writtenPayload(trigger)).isEqualTo(Json.readTree(body));
    assertThat(trigger.payloadTruncated()).isFalse();
  }

  @Test
  void normalize_utf8Body_isEmbeddedAsItsExactBytes() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");

    TriggerEvent trigger = normalizer.normalize(headers("push", null), body, RECEIVED);

    String written = new String(Json.mapper().writeValueAsBytes(trigger), StandardCharsets.UTF_8);
    assertThat(written).contains("\"payload\":" + new String(body, StandardCharsets.UTF_8));
  }

  @Test
  void normalize_bodyJacksonReadsAsUtf16_isEmbeddedAsItsTree() throws Exception {
    String json = "{\"ref\":\"refs/heads/main\",\"repository\":{\"full_name\":\"acme/app\"}}";
    byte[] body = json.getBytes(StandardCharsets.UTF_16LE);

    // An event without a known shape: only the encoding is under test here.
    TriggerEvent trigger = normalizer.normalize(headers("custom_event", null), body, RECEIVED);

    assertThat(trigger.repository()).isEqualTo("acme/app");
    assertThat(writtenPayload(trigger)).isEqualTo(Json.readTree(utf8(json)));
  }

  private static com.fasterxml.jackson.databind.JsonNode writtenPayload(TriggerEvent trigger)
      throws Exception {
    return Json.readTree(Json.mapper().writeValueAsBytes(trigger)).get("payload");
  }

  @Test
  void normalize_pullRequestOpened_takesHeadShaFromPullRequest() throws Exception {
    byte[] body = Fixtures.webhook("pull_request_opened.payload.json");

    TriggerEvent trigger = normalizer.normalize(headers("pull_request", null), body, RECEIVED);

    assertThat(trigger.action()).isEqualTo("opened");
    assertThat(trigger.headSha()).isEqualTo("ec26c3e57ca3a959ca5aad62de7213c562f8c821");
    assertThat(trigger.before()).isNull();
    assertThat(trigger.after()).isNull();
    assertThat(trigger.ref()).isNull();
    assertThat(trigger.github().installationId()).isEqualTo(1L);
    assertThat(trigger.github().hookId()).isNull();
  }

  @Test
  void normalize_ping_hasNoHeadSha() throws Exception {
    TriggerEvent trigger =
        normalizer.normalize(
            headers("ping", null), Fixtures.webhook("ping_payload.json"), RECEIVED);

    assertThat(trigger.event()).isEqualTo("ping");
    assertThat(trigger.repository()).isEqualTo("Octocoders/Hello-World");
    assertThat(trigger.headSha()).isNull();
  }

  @Test
  void normalize_bodyOverEmbeddingLimit_keepsDigestAndSizeButNoPayload() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");
    TriggerNormalizer small = new TriggerNormalizer(body.length - 1);

    TriggerEvent trigger = small.normalize(headers("push", null), body, RECEIVED);

    assertThat(trigger.payloadTruncated()).isTrue();
    assertThat(trigger.payload()).isNull();
    assertThat(trigger.payloadSize()).isEqualTo(body.length);
    assertThat(trigger.payloadDigest()).isEqualTo(Sha256.digest(body));
    assertThat(trigger.repository()).isEqualTo("Codertocat/Hello-World");
  }

  @Test
  void normalize_bodyExactlyAtEmbeddingLimit_embedsIt() throws Exception {
    byte[] body = Fixtures.webhook("push_payload.json");

    TriggerEvent trigger =
        new TriggerNormalizer(body.length).normalize(headers("push", null), body, RECEIVED);

    assertThat(trigger.payloadTruncated()).isFalse();
    assertThat(trigger.payload()).isNotNull();
  }

  @Test
  void normalize_noRepositoryNoSender_leavesThemNull() throws Exception {
    TriggerEvent trigger =
        normalizer.normalize(
            headers("ping", null), utf8("{\"zen\":\"z\",\"hook_id\":1,\"hook\":{}}"), RECEIVED);

    assertThat(trigger.repository()).isNull();
    assertThat(trigger.sender()).isNull();
  }

  @Test
  void normalize_malformedJson_failsAsMalformed() {
    assertThat(rejection(headers("push", null), utf8("{\"ref\": ")))
        .isEqualTo(RejectionCode.PAYLOAD_MALFORMED);
  }

  @Test
  void normalize_emptyBody_failsAsMalformed() {
    assertThat(rejection(headers("push", null), new byte[0]))
        .isEqualTo(RejectionCode.PAYLOAD_MALFORMED);
  }

  @Test
  void normalize_bodyJacksonReadsAsUtf32_failsAsMalformedNotAsError() {
    // Leading NULs make Jackson guess UTF-32; the second "character" is then out of range.
    // Found by DeliveryGateFuzzTest: it used to escape as an UncheckedIOException, a 500.
    byte[] body = {0, 0, 0, 0x7b, 0, 0x39, 0, 0};

    assertThat(rejection(headers("push", null), body)).isEqualTo(RejectionCode.PAYLOAD_MALFORMED);
  }

  @Test
  void normalize_jsonArray_failsAsMalformed() {
    assertThat(rejection(headers("push", null), utf8("[]")))
        .isEqualTo(RejectionCode.PAYLOAD_MALFORMED);
  }

  @Test
  void normalize_duplicateKeys_failsAsMalformed() {
    assertThat(rejection(headers("push", null), utf8("{\"ref\":\"a\",\"ref\":\"b\"}")))
        .isEqualTo(RejectionCode.PAYLOAD_MALFORMED);
  }

  @Test
  void normalize_malformedSha_failsAsInvalidNamingTheField() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    push.put("before", "6113728F27AE82C7B1A177C8D03F9E96E0ADF246");

    WebhookRejectedException e = reject(headers("push", null), bytes(push));

    assertThat(e.code()).isEqualTo(RejectionCode.PAYLOAD_INVALID);
    assertThat(e.getMessage()).contains("before").doesNotContain("6113728F");
  }

  @Test
  void normalize_malformedPullRequestHeadSha_failsAsInvalid() throws Exception {
    ObjectNode pr =
        (ObjectNode) Json.readTree(Fixtures.webhook("pull_request_opened.payload.json"));
    ((ObjectNode) pr.get("pull_request").get("head")).put("sha", "not-a-sha");

    WebhookRejectedException e = reject(headers("pull_request", null), bytes(pr));

    assertThat(e.code()).isEqualTo(RejectionCode.PAYLOAD_INVALID);
    assertThat(e.getMessage()).contains("headSha");
  }

  @Test
  void normalize_repositoryFullNameWithExtraSlash_failsAsInvalid() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    ((ObjectNode) push.get("repository")).put("full_name", "a/b/c");

    assertThat(reject(headers("push", null), bytes(push)).code())
        .isEqualTo(RejectionCode.PAYLOAD_INVALID);
  }

  @Test
  void normalize_repositoryNotAnObject_failsAsInvalid() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    push.put("repository", "Codertocat/Hello-World");

    WebhookRejectedException e = reject(headers("push", null), bytes(push));

    assertThat(e.code()).isEqualTo(RejectionCode.PAYLOAD_INVALID);
    assertThat(e.getMessage()).contains("repository must be an object");
  }

  @Test
  void normalize_senderIdNotANumber_failsAsInvalid() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    ((ObjectNode) push.get("sender")).put("id", "21031067");

    WebhookRejectedException e = reject(headers("push", null), bytes(push));

    assertThat(e.code()).isEqualTo(RejectionCode.PAYLOAD_INVALID);
    assertThat(e.getMessage()).contains("sender.id");
  }

  @Test
  void normalize_senderWithoutLogin_failsAsInvalid() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    ((ObjectNode) push.get("sender")).remove("login");

    assertThat(reject(headers("push", null), bytes(push)).code())
        .isEqualTo(RejectionCode.PAYLOAD_INVALID);
  }

  @Test
  void normalize_refNotAString_failsAsInvalid() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    push.put("ref", 42);

    assertThat(reject(headers("push", null), bytes(push)).getMessage())
        .contains("ref must be a string");
  }

  @Test
  void normalize_installationIdFractional_failsAsInvalid() throws Exception {
    ObjectNode push = (ObjectNode) Json.readTree(Fixtures.webhook("push_payload.json"));
    push.putObject("installation").put("id", 1.5);

    assertThat(reject(headers("push", null), bytes(push)).getMessage())
        .contains("installation.id must be an integer");
  }

  private RejectionCode rejection(DeliveryHeaders headers, byte[] body) {
    return reject(headers, body).code();
  }

  private WebhookRejectedException reject(DeliveryHeaders headers, byte[] body) {
    WebhookRejectedException e =
        catchThrowableOfType(
            WebhookRejectedException.class, () -> normalizer.normalize(headers, body, RECEIVED));
    assertThat(e).as("normalizing should be refused").isNotNull();
    return e;
  }

  @Test
  void normalize_mergeGroupChecksRequested_runsAndReportsOnTheGroupsHeadCommit() throws Exception {
    byte[] body = Files.readAllBytes(Fixtures.testResource(MERGE_GROUP));

    TriggerEvent trigger = normalizer.normalize(headers("merge_group", null), body, RECEIVED);

    assertThat(trigger.event()).isEqualTo("merge_group");
    assertThat(trigger.action()).isEqualTo("checks_requested");
    assertThat(trigger.repository()).isEqualTo("octo-org/hello-world");
    assertThat(trigger.headSha()).isEqualTo("b3a9e1f7c2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1");
    assertThat(trigger.after()).isEqualTo(trigger.headSha());
    assertThat(trigger.before()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assertThat(trigger.ref())
        .isEqualTo(
            "refs/heads/gh-readonly-queue/main/pr-42-6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assertThat(trigger.github().installationId()).isEqualTo(2311213L);
  }

  @Test
  void normalize_mergeGroupWithoutHeadSha_isRefusedAsInvalid() throws Exception {
    ObjectNode body =
        (ObjectNode) Json.readTree(Files.readAllBytes(Fixtures.testResource(MERGE_GROUP)));
    ((ObjectNode) body.get("merge_group")).remove("head_sha");

    assertThat(reject(headers("merge_group", null), bytes(body)).code())
        .isEqualTo(RejectionCode.PAYLOAD_INVALID);
  }

  private static DeliveryHeaders headers(String event, String hookId) {
    return new DeliveryHeaders(event, DELIVERY, hookId);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ObjectNode node) throws Exception {
    return Json.mapper().writeValueAsBytes(node);
  }
}
