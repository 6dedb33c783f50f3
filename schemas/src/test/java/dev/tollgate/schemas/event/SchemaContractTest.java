package dev.tollgate.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.tollgate.schemas.cloudevents.EventType;
import dev.tollgate.schemas.json.CanonicalJson;
import dev.tollgate.schemas.json.Json;
import dev.tollgate.schemas.json.Sha256;
import dev.tollgate.schemas.ledger.LedgerRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schemas are the source of truth; this proves the records and the examples agree with them.
 */
class SchemaContractTest {

  private static final Path EXAMPLES = Path.of("examples");
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V202012,
          builder ->
              builder.schemaMappers(
                  mappers ->
                      mappers.mapPrefix(
                          "https://tollgate.dev/schemas/", "classpath:dev/tollgate/schemas/")));
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private static final Instant NOW = Instant.parse("2026-11-22T09:00:00.123Z");
  private static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

  static Set<ValidationMessage> validate(EventType type, JsonNode node) {
    JsonSchema schema =
        FACTORY.getSchema(
            SchemaLocation.of("https://tollgate.dev/schemas/" + type.schemaName() + ".schema.json"),
            CONFIG);
    return schema.validate(node);
  }

  /** Samples built the way the services build them, including the edge values of each field. */
  static Map<EventType, List<Object>> samples() {
    Map<EventType, List<Object>> samples = new EnumMap<>(EventType.class);
    String triggerId = Ids.githubTrigger("72d3162e-cc78-11e3-81ab-4c9367dc0958");
    samples.put(
        EventType.TRIGGER,
        List.of(
            new TriggerEvent(
                triggerId,
                TriggerEvent.Source.GITHUB,
                NOW,
                "push",
                null,
                "octo-org/hello.world",
                "refs/heads/main",
                SHA,
                SHA,
                SHA,
                new TriggerEvent.Sender("octocat", 1),
                new TriggerEvent.GitHubDelivery("72d3162e-cc78-11e3-81ab-4c9367dc0958", "1", 5L),
                Sha256.digest(new byte[] {1}),
                1,
                Json.mapper().createObjectNode().put("zen", "Keep it logically awesome."),
                false),
            new TriggerEvent(
                Ids.scheduleTrigger("nightly", NOW),
                TriggerEvent.Source.SCHEDULE,
                NOW,
                "schedule",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Sha256.digest(new byte[0]),
                0,
                null,
                true)));
    samples.put(
        EventType.REJECTION,
        List.of(
            new RejectionEvent(
                "rej-" + "0".repeat(32),
                new Reason("SIGNATURE_MISMATCH", "no secret matches", null),
                NOW,
                "127.0.0.1",
                null,
                null,
                null,
                1)));
    samples.put(
        EventType.DECISION,
        List.of(
            new DecisionEvent(
                Ids.decision(triggerId),
                triggerId,
                DecisionEvent.Outcome.IGNORED,
                "octo-org/hello.world",
                List.of(new Reason("NO_MATCHING_POLICY", "no policy", "add one")),
                null,
                null,
                NOW),
            new DecisionEvent(
                Ids.decision(triggerId),
                triggerId,
                DecisionEvent.Outcome.ADMITTED,
                "octo-org/hello.world",
                List.of(),
                new DecisionEvent.PolicyRef("release", "3"),
                new DecisionEvent.PipelineRunRef(
                    "tenant-a", "tg-1", "registry.example/p@" + Sha256.digest(new byte[] {2})),
                NOW),
            auditAdmitted(triggerId),
            new DecisionEvent(
                Ids.decision(triggerId),
                triggerId,
                DecisionEvent.Outcome.ERROR,
                null,
                List.of(new Reason("REGISTRY_UNAVAILABLE", "registry down", "retry")),
                new DecisionEvent.PolicyRef("release", "3"),
                null,
                NOW,
                DecisionEvent.Mode.ENFORCE,
                List.of(),
                new DecisionEvent.Verification(
                    "registry.example/p:v1",
                    null,
                    DecisionEvent.Verification.Verdict.TRANSIENT_ERROR,
                    NOW,
                    "sha256:" + "e".repeat(64),
                    false,
                    List.of(
                        new DecisionEvent.Check(
                            "bundle.resolve",
                            "registry.example/p:v1",
                            DecisionEvent.CheckOutcome.ERROR,
                            "REGISTRY_UNAVAILABLE",
                            "connection refused",
                            "retry later",
                            Map.of()))),
                null)));
    samples.put(
        EventType.RUN,
        List.of(
            new RunEvent(
                "uid-1",
                RunEvent.Kind.TASK_RUN,
                "team-x",
                "run-1",
                RunEvent.Phase.FAILED,
                false,
                null,
                null,
                Map.of(),
                null,
                NOW,
                null),
            new RunEvent(
                "uid-2",
                RunEvent.Kind.PIPELINE_RUN,
                "team-x",
                "run-2",
                RunEvent.Phase.STARTED,
                true,
                triggerId,
                Ids.decision(triggerId),
                Map.of(),
                null,
                NOW,
                new RunEvent.Resolution(
                    RunEvent.Resolution.Result.MATCHES,
                    "registry.example/p",
                    "sha256:" + "a".repeat(64),
                    "release",
                    List.of("sha256:" + "a".repeat(64)),
                    null)),
            new RunEvent(
                "uid-3",
                RunEvent.Kind.PIPELINE_RUN,
                "team-x",
                "run-3",
                RunEvent.Phase.STARTED,
                false,
                null,
                null,
                Map.of(),
                null,
                NOW,
                new RunEvent.Resolution(
                    RunEvent.Resolution.Result.MISMATCH,
                    "registry.example/p",
                    "sha256:" + "b".repeat(64),
                    "release",
                    List.of("sha256:" + "a".repeat(64)),
                    "Tekton resolved another digest"))));
    samples.put(
        EventType.LEDGER_RECORD,
        List.of(
            LedgerRecord.builder()
                .seq(0)
                .prev(LedgerRecord.GENESIS_PREV)
                .time(NOW)
                .kind(LedgerRecord.Kind.TRIGGER)
                .eventId(triggerId)
                .eventType(EventType.TRIGGER.ceType())
                .links(new LedgerRecord.Links(triggerId, null, null, List.of()))
                .source(new LedgerRecord.SourcePosition("tollgate.triggers.v1", 0, 7))
                .payloadEncoding(LedgerRecord.PayloadEncoding.JSON)
                .payload(Json.mapper().createObjectNode().put("a", 1))
                .payloadDigest(Sha256.digest(new byte[] {3}))
                .keyId("a".repeat(64))
                .signature("A".repeat(86) + "==")
                .build(),
            LedgerRecord.builder()
                .seq(1)
                .prev(Sha256.digest(new byte[] {4}))
                .time(NOW)
                .kind(LedgerRecord.Kind.DECISION)
                .eventId("x")
                .source(new LedgerRecord.SourcePosition("t", 0, 0))
                .payloadEncoding(LedgerRecord.PayloadEncoding.BASE64)
                .payload(Json.mapper().getNodeFactory().textNode("AAEC"))
                .payloadDigest(Sha256.digest(new byte[] {0, 1, 2}))
                .keyId("b".repeat(64))
                .signature("B".repeat(85) + "A==")
                .build(),
            LedgerRecord.builder()
                .seq(2)
                .prev(Sha256.digest(new byte[] {5}))
                .time(NOW)
                .kind(LedgerRecord.Kind.KEY_ROTATION)
                .eventId(LedgerRecord.KEY_ROTATION_EVENT_ID_PREFIX + 2)
                .payloadEncoding(LedgerRecord.PayloadEncoding.JSON)
                .payload(
                    Json.mapper()
                        .createObjectNode()
                        .put("keyId", "c".repeat(64))
                        .put("publicKey", "C".repeat(42) + "A=")
                        .put("fromSeq", 3))
                .payloadDigest(Sha256.digest(new byte[] {6}))
                .keyId("b".repeat(64))
                .signature("D".repeat(85) + "A==")
                .build()));
    return samples;
  }

  /** An admission in audit mode with every optional member the contract grew. */
  static DecisionEvent auditAdmitted(String triggerId) {
    String pinned = "registry.example/p@" + Sha256.digest(new byte[] {2});
    Reason unsigned = new Reason("SIGNATURE_MISSING", "no signature found", "sign it");
    return new DecisionEvent(
        Ids.decision(triggerId),
        triggerId,
        DecisionEvent.Outcome.ADMITTED,
        "octo-org/hello.world",
        List.of(unsigned),
        new DecisionEvent.PolicyRef("release", "3"),
        new DecisionEvent.PipelineRunRef("tenant-a", "tg-1", pinned),
        NOW,
        DecisionEvent.Mode.AUDIT,
        List.of(unsigned),
        new DecisionEvent.Verification(
            "registry.example/p:v1",
            pinned,
            DecisionEvent.Verification.Verdict.DENIED,
            NOW,
            "sha256:" + "e".repeat(64),
            true,
            List.of(
                new DecisionEvent.Check(
                    "bundle.resolve",
                    "registry.example/p:v1",
                    DecisionEvent.CheckOutcome.PASSED,
                    "VERIFIED",
                    "resolved",
                    null,
                    Map.of("pinned", pinned, "digest", pinned.substring(19))),
                new DecisionEvent.Check(
                    "bundle.signature",
                    pinned,
                    DecisionEvent.CheckOutcome.FAILED,
                    "SIGNATURE_MISSING",
                    "no signature found",
                    "sign it",
                    Map.of()))),
        new DecisionEvent.NamespaceChanges(
            "tenant-a", List.of("Namespace/tenant-a"), List.of("ServiceAccount/tollgate-run")));
  }

  @Test
  void schema_admittedWithViolationsOutsideAuditMode_isRejected() throws Exception {
    JsonNode audit = Json.toTree(auditAdmitted(Ids.githubTrigger("a-1")));
    JsonNode enforce = audit.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) enforce).put("mode", "enforce");
    JsonNode transientAdmitted = audit.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) transientAdmitted.get("verification"))
        .put("verdict", "transient_error");
    JsonNode failedWithoutRemediation = audit.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode)
            failedWithoutRemediation.get("verification").get("checks").get(1))
        .remove("remediation");

    assertThat(validate(EventType.DECISION, audit)).isEmpty();
    assertThat(validate(EventType.DECISION, enforce)).isNotEmpty();
    assertThat(validate(EventType.DECISION, transientAdmitted)).isNotEmpty();
    assertThat(validate(EventType.DECISION, failedWithoutRemediation)).isNotEmpty();
  }

  @Test
  void read_decisionOfTheFirstContract_hasNoModeReportOrRepairs() throws Exception {
    DecisionEvent old =
        Json.read(
            Files.readAllBytes(EXAMPLES.resolve("decision.ignored-no-policy.json")),
            DecisionEvent.class);

    assertThat(old.mode()).isNull();
    assertThat(old.violations()).isEmpty();
    assertThat(old.verification()).isNull();
    assertThat(old.namespace()).isNull();
    assertThat(Json.toTree(old).has("violations")).isFalse();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void serialize_everySample_validatesAgainstItsSchema(EventType type) throws Exception {
    List<Object> values = samples().get(type);
    assertThat(values).as("every event type has samples").isNotEmpty();
    for (Object value : values) {
      assertThat(value).isInstanceOf(type.recordType());
      JsonNode written = Json.readTree(CanonicalJson.bytes(value));

      assertThat(validate(type, written)).as("%s validates", written).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void deserialize_everySample_roundTripsToEqualRecord(EventType type) throws Exception {
    for (Object value : samples().get(type)) {
      Object read = Json.read(CanonicalJson.bytes(value), type.recordType());

      assertThat(CanonicalJson.bytes(read)).isEqualTo(CanonicalJson.bytes(value));
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void example_parsesToItsRecordAndValidates(Path example) throws Exception {
    EventType type = typeOf(example);
    byte[] bytes = Files.readAllBytes(example);

    Object parsed = Json.read(bytes, type.recordType());

    assertThat(validate(type, Json.readTree(bytes))).as("example itself").isEmpty();
    assertThat(validate(type, Json.toTree(parsed))).as("example as re-serialized").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void examples_coverEveryEventType(EventType type) throws Exception {
    assertThat(examples().map(SchemaContractTest::typeOf)).contains(type);
  }

  @Test
  void schema_runAdmittedWithMismatchingResolution_isRejected() throws Exception {
    ObjectNode run =
        (ObjectNode) Json.readTree(CanonicalJson.bytes(samples().get(EventType.RUN).get(2)));
    assertThat(validate(EventType.RUN, run)).isEmpty();

    run.put("admitted", true);

    assertThat(validate(EventType.RUN, run)).isNotEmpty();
  }

  @Test
  void schema_rejectsUnknownMemberAndBadDigest() throws Exception {
    JsonNode good = Json.readTree(Files.readAllBytes(EXAMPLES.resolve("decision.admitted.json")));
    JsonNode extra = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) extra).put("surprise", true);
    JsonNode badBundle = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) badBundle.get("pipelineRun"))
        .put("bundle", "registry.example/p:latest");

    assertThat(validate(EventType.DECISION, good)).isEmpty();
    assertThat(validate(EventType.DECISION, extra)).isNotEmpty();
    assertThat(validate(EventType.DECISION, badBundle)).isNotEmpty();
  }

  @Test
  void schema_keyRotationWithSourceOrWithoutNewKey_rejected() throws Exception {
    JsonNode rotation =
        Json.readTree(CanonicalJson.bytes(samples().get(EventType.LEDGER_RECORD).get(2)));
    JsonNode withSource = rotation.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) withSource)
        .set(
            "source",
            Json.mapper()
                .createObjectNode()
                .put("topic", "t")
                .put("partition", 0)
                .put("offset", 0));
    JsonNode withoutKey = rotation.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) withoutKey.get("payload"))
        .remove("publicKey");

    assertThat(validate(EventType.LEDGER_RECORD, rotation)).isEmpty();
    assertThat(validate(EventType.LEDGER_RECORD, withSource)).isNotEmpty();
    assertThat(validate(EventType.LEDGER_RECORD, withoutKey)).isNotEmpty();
  }

  private static EventType typeOf(Path example) {
    String name = example.getFileName().toString();
    return Arrays.stream(EventType.values())
        .filter(t -> name.startsWith(t.schemaName().replace(".v1", "") + "."))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " names no event type"));
  }
}
