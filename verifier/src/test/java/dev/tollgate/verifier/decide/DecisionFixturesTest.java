package dev.tollgate.verifier.decide;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.schemas.cloudevents.KafkaCloudEvents;
import dev.tollgate.schemas.event.Reason;
import dev.tollgate.schemas.event.TriggerEvent;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.MalformedJsonException;
import dev.tollgate.schemas.signing.EventSignatures;
import dev.tollgate.verifier.VerifierConfig;
import dev.tollgate.verifier.handling.TriggerHandler;
import dev.tollgate.verifier.namespace.NamespaceRules;
import dev.tollgate.verifier.policy.ApprovalJournal;
import dev.tollgate.verifier.policy.Approvals;
import dev.tollgate.verifier.policy.ApprovalsUnavailableException;
import dev.tollgate.verifier.policy.PolicyReader;
import dev.tollgate.verifier.policy.TriggerPolicy;
import dev.tollgate.verifier.report.Check;
import dev.tollgate.verifier.report.Outcome;
import dev.tollgate.verifier.report.VerificationReport;
import dev.tollgate.verifier.testing.TestEventKeys;
import dev.tollgate.verifier.testing.TriggerMessages;
import dev.tollgate.verifier.verify.BundleVerification;
import dev.tollgate.verifier.verify.VerificationOutcome;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every decision rule, one named fixture per failure mode under {@code
 * src/test/resources/decisions/<failure-mode>/}: {@code trigger.json}, the {@code policy*.yaml} in
 * force, {@code given.json} (the verification report, the approvals, whether the policies were
 * loaded, the configured {@code namespaces} ({@code kafka}, {@code reserved}), the decider's clock
 * {@code now}, by default a second after the trigger was received, and the {@code record} as it
 * reached the topic) and {@code expected.json} (outcome, policy, mode, reason and violation codes
 * in order, and for an admission the pinned bundle and parameters). No broker, no registry, no
 * cluster.
 *
 * <p>Each trigger goes the way the consumer takes it: its {@code trigger.json} bytes under the
 * gateway's CloudEvents headers, signed with the test gateway key unless {@code record.signedBy}
 * says {@code stranger} (a key nobody trusts) or {@code none}, altered after signing when {@code
 * record.alter} says {@code data} (the sender made {@code forged-admin}) or {@code ce_id} (a new
 * delivery id, in the header and the data alike); the signature is checked under the trusted
 * gateway keys, and only a record that passes is parsed and decided.
 */
class DecisionFixturesTest {
  /** What every fixture's bundle resolves to unless its given.json says otherwise. */
  private static final String PINNED = "registry.example/acme/pipelines@sha256:" + "a".repeat(64);

  private static final Instant VERIFIED_AT = Instant.parse("2026-11-22T10:00:00Z");

  /** The service's default bounds (tollgate.verifier.trigger.*). */
  private static final TriggerFreshness FRESHNESS =
      TriggerHandler.freshness(
          new SmallRyeConfigBuilder()
              .withMapping(VerifierConfig.class)
              .build()
              .getConfigMapping(VerifierConfig.class));

  static Stream<String> fixtures() throws IOException, URISyntaxException {
    try (Stream<Path> dirs = Files.list(root())) {
      return dirs
          .filter(Files::isDirectory)
          .map(d -> d.getFileName().toString())
          .filter(n -> !n.startsWith("_"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void fixtures_everyRuleHasOne_atLeastTwentyFailureModes() throws Exception {
    assertThat(fixtures().toList()).hasSizeGreaterThanOrEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void decide_fixture_matchesExpectedDecision(String name) throws Exception {
    Path dir = root().resolve(name);
    JsonNode given = optionalJson(dir.resolve("given.json"));
    JsonNode expected = Json.readTree(Files.readAllBytes(dir.resolve("expected.json")));
    byte[] value = Files.readAllBytes(dir.resolve("trigger.json"));
    TriggerEvent genuine = Json.read(value, TriggerEvent.class);
    Headers headers = TriggerMessages.headers(genuine);
    JsonNode record = given.path("record");
    switch (record.path("signedBy").asText("gateway")) {
      case "gateway" -> EventSignatures.sign(headers, value, TestEventKeys.gateway());
      case "stranger" -> EventSignatures.sign(headers, value, TestEventKeys.stranger());
      case "none" -> {
        // as Kafka's console producer writes it
      }
      default -> throw new IllegalArgumentException(name + ": record.signedBy is unknown");
    }
    value = altered(record.path("alter").asText("none"), headers, value);
    Instant now =
        given.has("now")
            ? Instant.parse(given.path("now").asText())
            : genuine.receivedAt().plusSeconds(1);
    PolicySnapshot snapshot =
        given.path("policies").asText("loaded").equals("notLoaded")
            ? PolicySnapshot.notLoaded()
            : PolicySnapshot.of(policies(dir), namespaces(given.path("namespaces")));
    FixedVerification verification = new FixedVerification(given.path("verification"));

    EventSignatures.Verification signature =
        EventSignatures.verify(headers, value, TestEventKeys.gateways());
    Optional<Ruling.Refuse> refused =
        Decider.authenticate(signature, "tollgate.triggers.v1-0@7", claimedId(headers));
    Ruling ruling =
        refused.isPresent()
            ? refused.get()
            : Decider.decide(
                Json.read(value, TriggerEvent.class),
                now,
                FRESHNESS,
                snapshot,
                approvals(given),
                verification);

    String why = name + ": " + ruling.reasons();
    assertThat(ruling.outcome().wire()).as(why).isEqualTo(expected.path("outcome").asText());
    assertThat(ruling.reasons())
        .as(why)
        .extracting(Reason::code)
        .containsExactlyElementsOf(codes(expected.path("reasons")));
    assertThat(ruling.evidence().violations())
        .as(why)
        .extracting(Reason::code)
        .containsExactlyElementsOf(codes(expected.path("violations")));
    assertThat(ruling.policy().map(p -> p.name()).orElse(null))
        .as(why)
        .isEqualTo(
            expected.path("policy").isMissingNode() ? null : expected.path("policy").asText());
    assertThat(ruling.evidence().mode().map(m -> m.name().toLowerCase(Locale.ROOT)).orElse(null))
        .as(why)
        .isEqualTo(expected.path("mode").isMissingNode() ? null : expected.path("mode").asText());
    assertThat(verification.asked)
        .as(name + ": verification asked")
        .isEqualTo(!given.path("verification").isMissingNode());
    for (JsonNode part : expected.path("messageContains")) {
      assertThat(ruling.reasons().get(0).message()).as(why).contains(part.asText());
    }
    for (Reason r : ruling.reasons()) {
      assertThat(r.code()).as(why).matches("^[A-Z][A-Z0-9_]{1,63}$");
    }
    if (ruling instanceof Ruling.Admit admit) {
      assertThat(admit.pinnedBundle()).as(why).isEqualTo(expected.path("pinnedBundle").asText());
      Map<String, String> params = new HashMap<>();
      expected
          .path("params")
          .properties()
          .forEach(e -> params.put(e.getKey(), e.getValue().asText()));
      assertThat(admit.params()).as(why).isEqualTo(params);
    } else {
      assertThat(expected.has("pinnedBundle")).as(name + ": only an admission pins").isFalse();
    }
  }

  /** The record as an attacker with access to the topic altered it after it was signed. */
  private static byte[] altered(String how, Headers headers, byte[] value) throws Exception {
    ObjectNode data = (ObjectNode) Json.readTree(value);
    switch (how) {
      case "none" -> {
        return value;
      }
      case "data" -> ((ObjectNode) data.path("sender")).put("login", "forged-admin");
      case "ce_id" -> {
        String delivery = "00000000-0000-4000-8000-000000000000";
        String id = "github:" + delivery;
        data.put("triggerId", id);
        ((ObjectNode) data.path("github")).put("deliveryId", delivery);
        headers.remove(KafkaCloudEvents.ID);
        headers.add(KafkaCloudEvents.ID, id.getBytes(StandardCharsets.UTF_8));
      }
      default -> throw new IllegalArgumentException("record.alter '" + how + "' is unknown");
    }
    return CanonicalJson.bytes(data);
  }

  private static String claimedId(Headers headers) {
    return new String(headers.lastHeader(KafkaCloudEvents.ID).value(), StandardCharsets.UTF_8);
  }

  private static Path root() throws URISyntaxException {
    return Path.of(DecisionFixturesTest.class.getResource("/decisions").toURI());
  }

  private static JsonNode optionalJson(Path file) throws IOException, MalformedJsonException {
    return Files.exists(file)
        ? Json.readTree(Files.readAllBytes(file))
        : Json.mapper().createObjectNode();
  }

  private static List<String> codes(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<TriggerPolicy> policies(Path dir) throws Exception {
    List<TriggerPolicy> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files
              .filter(f -> f.getFileName().toString().matches("policy.*\\.yaml"))
              .sorted()
              .toList()) {
        out.add(
            PolicyReader.read(
                dir.getFileName() + "/" + f.getFileName(), Files.readAllBytes(f), dir));
      }
    }
    return out;
  }

  /** The configured namespace rules the fixture gives, else the built-in ones. */
  private static NamespaceRules namespaces(JsonNode given) {
    if (given.isMissingNode()) {
      return NamespaceRules.DEFAULTS;
    }
    return NamespaceRules.of(given.path("kafka").asText(), codes(given.path("reserved")));
  }

  /** The approvals the fixture gives: some approved heads, or a journal that cannot be reached. */
  private static Approvals approvals(JsonNode given) {
    if (given.path("approvalsUnavailable").asBoolean(false)) {
      return new Approvals(
          new ApprovalJournal() {
            @Override
            public void write(String pullRequest, String headSha) {
              throw new ApprovalsUnavailableException("the approvals topic is not reachable", null);
            }

            @Override
            public Map<String, String> readNew() {
              throw new ApprovalsUnavailableException("the approvals topic is not reachable", null);
            }
          });
    }
    ApprovalJournal journal = ApprovalJournal.inMemory();
    given
        .path("approvals")
        .properties()
        .forEach(e -> journal.write(e.getKey(), e.getValue().asText()));
    return new Approvals(journal);
  }

  /** The verification the fixture gives, and whether the decider asked for it. */
  private static final class FixedVerification implements BundleVerification {
    private final JsonNode given;
    boolean asked;

    FixedVerification(JsonNode given) {
      this.given = given;
    }

    @Override
    public VerificationOutcome verify(TriggerPolicy policy) {
      asked = true;
      if (given.isMissingNode()) {
        // The fixture says the decision is made before the registry is asked: answer as if
        // everything passed, so a decider that asked anyway is caught by the "asked" assertion.
        return report(policy, Json.mapper().createObjectNode());
      }
      return switch (given.path("outcome").asText("reported")) {
        case "trustUnusable" -> new VerificationOutcome.TrustUnusable(given.path("why").asText());
        case "interrupted" -> new VerificationOutcome.Interrupted();
        default -> report(policy, given);
      };
    }

    private static VerificationOutcome report(TriggerPolicy policy, JsonNode given) {
      List<Check> checks = new ArrayList<>();
      JsonNode list = given.path("checks");
      if (list.isMissingNode()) {
        checks.add(Check.passed("bundle.resolve", policy.run().bundle(), "resolved", Map.of()));
      }
      for (JsonNode c : list) {
        Outcome outcome = Outcome.valueOf(c.path("outcome").asText().toUpperCase(Locale.ROOT));
        String check = c.path("check").asText();
        String subject = c.path("subject").asText("bundle " + policy.run().bundle());
        String message =
            c.path("message").asText(check + " " + outcome.name().toLowerCase(Locale.ROOT));
        checks.add(
            switch (outcome) {
              case PASSED -> Check.passed(check, subject, message, Map.of());
              case FAILED ->
                  Check.failed(
                      check, subject, c.path("code").asText(), message, "fix it", Map.of());
              case ERROR ->
                  Check.error(check, subject, c.path("code").asText(), message, "retry", Map.of());
            });
      }
      Optional<String> pinned =
          given.path("unpinned").asBoolean(false)
              ? Optional.empty()
              : Optional.of(given.path("pinned").asText(PINNED));
      return new VerificationOutcome.Reported(
          VerificationReport.of(policy.run().bundle(), pinned, checks, VERIFIED_AT, "sha256:trust"),
          given.path("attempts").asInt(1));
    }
  }
}
