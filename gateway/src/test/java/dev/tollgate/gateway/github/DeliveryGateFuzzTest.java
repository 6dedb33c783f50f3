package dev.tollgate.gateway.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.Fixtures;
import dev.tollgate.gateway.emit.TriggerEmitter;
import dev.tollgate.gateway.identity.GitHubApi;
import dev.tollgate.gateway.identity.GitHubCredentials;
import dev.tollgate.gateway.identity.SenderIdentities;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the delivery path ({@link DeliveryGate}: signature, headers,
 * redelivery detection, form decoding, JSON, normalization, identity). Whatever the fuzzer sends,
 * the gate either decides or refuses with a 4xx reason: any other exception would be a 5xx. And it
 * never admits a body whose signature the fuzzer made up: only bodies signed here with the secret
 * (which the fuzzer chooses to do, to get past the signature) are admitted.
 *
 * <p>The build runs it in fuzzing mode for a bounded time (see the surefire execution "fuzz" in the
 * gateway POM); run alone without JAZZER_FUZZ it replays its findings only.
 */
class DeliveryGateFuzzTest {

  private static final String SECRET = "fuzz-secret";
  private static final String[] CONTENT_TYPES = {
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/xml"
  };
  private static final String[] EVENTS = {
    "push", "pull_request", "issue_comment", "ping", "star", "Push", "", "release"
  };

  private final RecentDeliveries recent = new RecentDeliveries(1000, Duration.ofHours(1));
  private final DeliveryGate gate =
      new DeliveryGate(
          new SignatureVerifier(WebhookSecrets.parse(SECRET)),
          new TriggerNormalizer(4096),
          recent,
          new SenderIdentities(
              new GitHubApi(
                  new GitHubCredentials(
                      URI.create("https://github.invalid"), null, null, null, Clock.systemUTC()),
                  Duration.ofSeconds(1),
                  Duration.ofMinutes(1),
                  Duration.ofSeconds(1),
                  10,
                  new SimpleMeterRegistry()),
              "/ok-to-test",
              new SimpleMeterRegistry()),
          Set.of("star"));

  @FuzzTest(maxDuration = "20s")
  void admit_anyRequest_decidesOrRefusesWith4xxAndAdmitsNoForgery(FuzzedDataProvider data) {
    boolean signHere = data.consumeBoolean();
    String fuzzedSignature = data.consumeString(80);
    String event = data.consumeBoolean() ? data.pickValue(EVENTS) : data.consumeString(20);
    String delivery = data.consumeBoolean() ? "d-" + data.consumeInt(0, 3) : data.consumeString(40);
    String contentType =
        data.consumeBoolean() ? data.pickValue(CONTENT_TYPES) : data.consumeString(40);
    boolean repeatSignature = data.consumeBoolean() && data.consumeBoolean();
    boolean rememberIt = data.consumeBoolean();
    int shape = data.consumeInt(0, 2);
    byte[] body;
    if (shape == 0) {
      body = data.consumeRemainingAsBytes();
    } else {
      // A payload shaped like GitHub's with fuzzed text in it, so that admitted triggers, whose
      // payload is embedded as the received bytes, are reached often; form-encoded or not.
      byte[] json = githubLikeJson(data);
      body =
          shape == 1
              ? json
              : ("payload="
                      + URLEncoder.encode(
                          new String(json, StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.ISO_8859_1);
      if (data.consumeBoolean()) {
        contentType = shape == 1 ? "application/json" : "application/x-www-form-urlencoded";
      }
    }
    String signature = signHere ? Fixtures.sign(SECRET, body) : fuzzedSignature;

    Map<String, List<String>> headers = new HashMap<>();
    put(headers, SignatureVerifier.HEADER, signature);
    if (repeatSignature) {
      put(headers, SignatureVerifier.HEADER, signature);
    }
    put(headers, DeliveryHeaders.EVENT, event);
    put(headers, DeliveryHeaders.DELIVERY, delivery);
    put(headers, "Content-Type", contentType);

    DeliveryGate.Outcome outcome;
    try {
      outcome =
          gate.admit(
              name -> headers.get(name.toLowerCase(Locale.ROOT)),
              body,
              Instant.parse("2026-11-22T09:00:00Z"));
    } catch (WebhookRejectedException e) {
      assertThat(e.code().httpStatus()).isBetween(400, 499);
      return;
    }
    assertThat(signHere || Fixtures.sign(SECRET, body).equals(fuzzedSignature))
        .as("admitted a delivery whose signature was not made with the secret")
        .isTrue();
    assertThat(repeatSignature).as("admitted a repeated signature header").isFalse();
    if (outcome instanceof DeliveryGate.Emit) {
      DeliveryGate.Emit emit = (DeliveryGate.Emit) outcome;
      assertWrittenTriggerReadsBack(emit.trigger(), body, contentType);
      if (rememberIt) {
        recent.accepted(emit.trigger().triggerId(), emit.payloadDigest());
      }
    }
  }

  /**
   * What Kafka would get reads back as the same trigger, its payload (embedded as the received
   * bytes) the same JSON the gate read: whatever the body, the verbatim copy never breaks the
   * event.
   */
  private static void assertWrittenTriggerReadsBack(
      TriggerEvent trigger, byte[] body, String contentType) {
    TriggerEvent read;
    try {
      read = Json.read(TriggerEmitter.value(trigger), TriggerEvent.class);
    } catch (MalformedJsonException e) {
      throw new AssertionError("an admitted trigger does not read back: " + e.getMessage(), e);
    }
    assertThat(read.triggerId()).isEqualTo(trigger.triggerId());
    if (trigger.payload() != null) {
      byte[] json;
      try {
        json =
            contentType.toLowerCase(Locale.ROOT).contains("x-www-form-urlencoded")
                ? TriggerNormalizer.formPayload(body)
                : body;
        assertThat(read.payload()).isEqualTo(Json.readTree(json));
      } catch (WebhookRejectedException | MalformedJsonException e) {
        throw new AssertionError("the admitted payload does not read again", e);
      }
    }
  }

  private static byte[] githubLikeJson(FuzzedDataProvider data) {
    ObjectNode payload = Json.mapper().createObjectNode();
    payload.put("ref", data.consumeString(40));
    payload.put("after", data.consumeBoolean() ? "0123456789abcdef0123456789abcdef01234567" : null);
    payload.putObject("repository").put("full_name", data.consumeBoolean() ? "acme/app" : "a");
    payload.putObject("sender").put("login", data.consumeString(20)).put("id", data.consumeLong());
    payload.put("text", data.consumeString(200));
    String json = payload.toString();
    // Whitespace where JSON allows it, as another sender's formatting might put it.
    return (data.consumeBoolean() ? json.replace(",", ",\n  ").replace(":", ": ") : json)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void put(Map<String, List<String>> headers, String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).add(value);
  }
}
